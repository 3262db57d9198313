/**
 * The JSON Schema twins of OMS's predefined rules (@oms/contracts/rule-patterns)
 * say what the CEL rules in proto/oms/common/v1/rules.proto say: same verdict,
 * same message, on samples chosen to sit on each rule's edges.
 */
import { create, type DescMessage } from '@bufbuild/protobuf';
import { StringRulesSchema } from '@bufbuild/protovalidate/gen/buf/validate/validate_pb.js';
import { file_oms_common_v1_rules } from '@oms/contracts/common/v1/rules';
import { AdjustStockRequestSchema, GetProductRequestSchema } from '@oms/contracts/inventory/v1';
import { GetOrderRequestSchema, ValidateOrderRequestSchema } from '@oms/contracts/order/v1';
import { rulePatterns } from '@oms/contracts/rule-patterns';
import { CancelShipmentRequestSchema } from '@oms/contracts/shipping/v1';
import { describe, expect, it } from 'vitest';
import { contractViolations } from '../src/validation';

const rule = (name: string) => `oms.common.v1.${name}`;

/** A string field carrying exactly these rules (and a max_len the samples stay under). */
const probes: { rules: string[]; schema: DescMessage; field: string }[] = [
  { rules: ['id'], schema: GetOrderRequestSchema, field: 'orderId' },
  { rules: ['sku'], schema: GetProductRequestSchema, field: 'sku' },
  { rules: ['text'], schema: CancelShipmentRequestSchema, field: 'reason' },
  { rules: ['text', 'required_text'], schema: AdjustStockRequestSchema, field: 'reason' },
  { rules: ['idempotency_key'], schema: ValidateOrderRequestSchema, field: 'idempotencyKey' },
];

const samples = [
  ...['', ' ', '   ', 'a', 'a b', '  x  ', 'é', '😀', '\u00a0', '\u0085'],
  ...['\t', 'x\ty', 'x\n', ' \r ', 'NUL\u0000', 'DEL\u007f', '\u001f'],
  ...['MUG-1', 'A_B.C-D', 'mug', '-A', '.A', 'A'.repeat(64), 'A'.repeat(65)],
  ...['0', '1', '42', '007', '-1', '9223372036854775807', '12345678901234567890'],
  ...['k'.repeat(200), 'k'.repeat(201), `${' '.repeat(10)}k`],
];

function jsonMessages(names: string[], value: string): string[] {
  return names
    .map((name) => rulePatterns[rule(name)]!)
    .filter((r) => {
      const length = [...value].length;
      const fits = length >= (r.minLength ?? 0) && length <= (r.maxLength ?? Infinity);
      return !(fits && new RegExp(r.pattern, 'u').test(value));
    })
    .map((r) => r.message);
}

function celMessages(schema: DescMessage, field: string, value: string): string[] {
  const name = schema.field[field]!.name;
  return contractViolations(schema, create(schema, { [field]: value }))
    .filter((v) => v.field === name)
    .map((v) => v.description);
}

describe('rule patterns', () => {
  it.each(probes.map((p) => ({ ...p, on: `${p.schema.typeName}.${p.field}` })))('agree with the CEL of $rules on $on', ({ rules, schema, field }) => {
    for (const value of samples) {
      expect(jsonMessages(rules, value).sort(), JSON.stringify(value)).toEqual(celMessages(schema, field, value).sort());
    }
  });

  it('leave one edge to the service: an id of 19 digits above int64', () => {
    const overInt64 = '9223372036854775808';
    expect(jsonMessages(['id'], overInt64)).toEqual([]);
    expect(celMessages(GetOrderRequestSchema, 'orderId', overInt64)).toEqual([rulePatterns[rule('id')]!.message]);
  });

  it('cover every predefined string rule in rules.proto', () => {
    const names = file_oms_common_v1_rules.extensions.filter((ext) => ext.extendee.typeName === StringRulesSchema.typeName).map((ext) => ext.typeName);
    expect(Object.keys(rulePatterns).sort()).toEqual(names.sort());
  });
});
