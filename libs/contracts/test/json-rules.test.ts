import { describe, expect, it } from 'vitest';
import { AddressSchema, LineSchema, MoneySchema } from '../src/gen/oms/common/v1/common_pb';
import { AdjustStockRequestSchema, ListProductsRequestSchema } from '../src/gen/oms/inventory/v1/inventory_pb';
import { CreateOrderRequestSchema, GetOrderRequestSchema, ListOrdersRequestSchema, OrderSchema } from '../src/gen/oms/order/v1/order_pb';
import { integerKeywords, itemsKeywords, ruleMessage, stringKeywords } from '../src/json-rules';
import { rulePatterns } from '../src/rule-patterns';

const pattern = (rule: string) => rulePatterns[`oms.common.v1.${rule}`]!.pattern;

describe('stringKeywords', () => {
  it('reads max_len and a predefined rule as its pattern', () => {
    expect(stringKeywords(LineSchema.field.sku)).toEqual({ pattern: pattern('sku') });
    expect(stringKeywords(GetOrderRequestSchema.field.orderId)).toEqual({ pattern: pattern('id') });
    expect(stringKeywords(ListOrdersRequestSchema.field.pageToken)).toEqual({ maxLength: 1000 });
  });

  it('puts two patterns or more under allOf (JSON Schema has one pattern per schema)', () => {
    expect(stringKeywords(AddressSchema.field.name)).toEqual({ maxLength: 200, allOf: [{ pattern: pattern('text') }, { pattern: pattern('required_text') }] });
    expect(stringKeywords(AddressSchema.field.line2)).toEqual({ maxLength: 200, pattern: pattern('text') });
  });

  it("reads the proto's own pattern, the `in` list as an enum, and a predefined rule's lengths", () => {
    expect(stringKeywords(AddressSchema.field.country)).toEqual({ pattern: '^[A-Z]{2}$' });
    const currency = stringKeywords(MoneySchema.field.currency);
    expect(currency.enum).toContain('EUR');
    expect(currency.enum).toHaveLength(new Set(currency.enum).size);
    expect(stringKeywords(CreateOrderRequestSchema.field.idempotencyKey)).toEqual({ minLength: 1, maxLength: 200, pattern: pattern('idempotency_key') });
  });

  it('refuses a field without string rules: a typo, not a field without limits', () => {
    expect(() => stringKeywords(OrderSchema.field.id)).toThrow('oms.order.v1.Order.id has no string rules');
    expect(() => stringKeywords(LineSchema.field.quantity)).toThrow('has no string rules');
  });
});

describe('integerKeywords', () => {
  it('makes gt/gte and lt/lte inclusive bounds', () => {
    expect(integerKeywords(LineSchema.field.quantity)).toEqual({ minimum: 1, maximum: 10_000 });
    expect(integerKeywords(AdjustStockRequestSchema.field.delta)).toEqual({ minimum: -1_000_000, maximum: 1_000_000 });
    expect(integerKeywords(ListOrdersRequestSchema.field.pageSize)).toEqual({ minimum: 0, maximum: 100 });
  });
});

describe('itemsKeywords', () => {
  it('reads min_items and max_items, each only when set', () => {
    expect(itemsKeywords(CreateOrderRequestSchema.field.lines)).toEqual({ minItems: 1, maxItems: 100 });
    expect(itemsKeywords(ListProductsRequestSchema.field.skus)).toEqual({ maxItems: 200 });
  });
});

describe('ruleMessage', () => {
  it("is the predefined rule's message for its pattern, nothing for any other", () => {
    expect(ruleMessage(pattern('sku'))).toBe(rulePatterns['oms.common.v1.sku']!.message);
    expect(ruleMessage('^[A-Z]{2}$')).toBeUndefined();
    expect(ruleMessage(undefined)).toBeUndefined();
  });
});
