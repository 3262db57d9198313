import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import type { Logger } from './logger';

/**
 * Collects what is wrong with a request, field by field, so the caller gets
 * every problem in one INVALID_ARGUMENT ("lines[1].quantity: must be positive").
 */
export class Violations {
  private readonly problems: string[] = [];

  check(ok: boolean, field: string, message: string): this {
    if (!ok) this.problems.push(`${field}: ${message}`);
    return this;
  }

  required(value: string | undefined, field: string): this {
    return this.check(value !== undefined && value.trim() !== '', field, 'is required');
  }

  throwIfAny(): void {
    if (this.problems.length > 0) throw new ConnectError(this.problems.join('; '), Code.InvalidArgument);
  }
}

export const notFound = (what: string) => new ConnectError(`${what} not found`, Code.NotFound);
export const refused = (message: string) => new ConnectError(message, Code.FailedPrecondition);

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
