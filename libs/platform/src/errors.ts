import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { BadRequestSchema, ErrorInfoSchema, type BadRequest_FieldViolation } from '@oms/contracts/rpc';
import type { Logger } from './logger';

export type FieldViolation = Pick<BadRequest_FieldViolation, 'field' | 'description'>;

/**
 * INVALID_ARGUMENT naming every bad field: in the message for people
 * ("lines[1].quantity: must be positive; ...") and as google.rpc.BadRequest
 * field violations for programs, which never parse the message.
 */
export function invalidArgument(violations: FieldViolation[]): ConnectError {
  const message = violations.map((v) => `${v.field}: ${v.description}`).join('; ');
  return new ConnectError(message, Code.InvalidArgument, undefined, [
    { desc: BadRequestSchema, value: create(BadRequestSchema, { fieldViolations: violations }) },
  ]);
}

/**
 * Collects what the contract cannot say about a request (rules across fields
 * or rows, checked in a service's domain.ts), so the caller gets every
 * problem in one INVALID_ARGUMENT.
 */
export class Violations {
  private readonly violations: FieldViolation[] = [];

  check(ok: boolean, field: string, description: string): this {
    if (!ok) this.violations.push({ field, description });
    return this;
  }

  required(value: string, field: string): this {
    return this.check(value.trim() !== '', field, 'is required');
  }

  throwIfAny(): void {
    if (this.violations.length > 0) throw invalidArgument(this.violations);
  }
}

/** Why a business refusal happened, for programs: a reason (UPPER_SNAKE_CASE) and facts such as the sku. */
export interface RefusalInfo {
  reason: string;
  metadata?: Record<string, string>;
}

/** The domain of every OMS ErrorInfo. */
export const errorDomain = 'oms';

export const notFound = (what: string) => new ConnectError(`${what} not found`, Code.NotFound);

/** FAILED_PRECONDITION with a readable message and, when given, an ErrorInfo that callers read instead of the message. */
export function refused(message: string, info?: RefusalInfo): ConnectError {
  const details = info ? [{ desc: ErrorInfoSchema, value: create(ErrorInfoSchema, { domain: errorDomain, ...info }) }] : [];
  return new ConnectError(message, Code.FailedPrecondition, undefined, details);
}

/** The ErrorInfo of a refusal, if it carries one. */
export const refusalInfo = (error: ConnectError): RefusalInfo | undefined => error.findDetails(ErrorInfoSchema)[0];

/** Turns a non-Connect error into one; undefined when it does not know the error. */
export type ErrorMapper = (error: unknown) => ConnectError | undefined;

/**
 * Every error leaves as a proper gRPC code: ConnectErrors as they are, known
 * faults through the mappers (e.g. database down -> UNAVAILABLE), anything
 * else as INTERNAL without leaking its text. Logs each at a fitting level.
 */
export function errorInterceptor(logger: Logger, mappers: ErrorMapper[]): Interceptor {
  return (next) => async (req) => {
    try {
      return await next(req);
    } catch (error) {
      const rpc = `${req.service.typeName}/${req.method.name}`;
      const known = error instanceof ConnectError ? error : mappers.map((m) => m(error)).find(Boolean);
      if (known) {
        const level = known.code === Code.Unavailable || known.code === Code.Internal ? 'warn' : 'info';
        logger[level]({ rpc, code: Code[known.code], err: known.cause ?? undefined }, known.rawMessage);
        throw known;
      }
      logger.error({ rpc, err: error }, 'unexpected error');
      throw new ConnectError('internal error', Code.Internal);
    }
  };
}
