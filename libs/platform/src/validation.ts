/**
 * Requests are checked against the rules written in the contract
 * (protovalidate annotations in proto/) before any handler runs, so a
 * handler only sees requests whose fields are well-formed. Rules across
 * fields or rows stay in each service's domain.ts.
 */
import { createRegistry, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { pathToString } from '@bufbuild/protobuf/reflect';
import { createValidator } from '@bufbuild/protovalidate';
import type { Interceptor } from '@connectrpc/connect';
import { file_oms_common_v1_rules } from '@oms/contracts/common/v1/rules';
import { invalidArgument, type FieldViolation } from './errors';

// OMS's own predefined rules (id, sku, text, idempotency_key) must be known to the validator.
const validator = createValidator({ registry: createRegistry(file_oms_common_v1_rules) });

/** Every field of `message` that breaks the contract's rules; also for data that arrives without an RPC (the CSV import). */
export function contractViolations<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): FieldViolation[] {
  const result = validator.validate(schema, message);
  // A rule that cannot be evaluated is our bug, not the caller's: it leaves as INTERNAL.
  if (result.kind === 'error') throw result.error;
  return result.kind === 'invalid' ? result.violations.map((v) => ({ field: pathToString(v.field), description: v.message })) : [];
}

/** INVALID_ARGUMENT, naming every field that breaks the contract's rules. */
export function validationInterceptor(): Interceptor {
  return (next) => async (req) => {
    if (!req.stream) {
      const violations = contractViolations(req.method.input, req.message);
      if (violations.length > 0) throw invalidArgument(violations);
    }
    return next(req);
  };
}
