import { durationMs } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import { RetryInfoSchema } from '@oms/contracts/rpc';
import { refusalInfo } from '@oms/platform';
import { ApplicationFailure } from '@temporalio/common';

// Codes a retry cannot change: the service refused, or the request is wrong.
const refusals = new Set([Code.FailedPrecondition, Code.InvalidArgument, Code.NotFound, Code.AlreadyExists, Code.OutOfRange, Code.PermissionDenied]);

/**
 * Runs a service call; a business refusal becomes a non-retryable
 * ApplicationFailure of `type` (with `details`). Anything else (UNAVAILABLE,
 * ABORTED, DEADLINE_EXCEEDED...) is left for Temporal to retry, at the time
 * the service asked for when it said (RetryInfo: e.g. an open breaker's
 * half-open time) instead of the backoff's.
 */
export async function refusalsAs<T>(type: string, call: Promise<T>, details?: (error: ConnectError) => unknown): Promise<T> {
  try {
    return await call;
  } catch (error) {
    const connect = ConnectError.from(error);
    if (refusals.has(connect.code)) {
      throw ApplicationFailure.create({ type, message: connect.rawMessage, nonRetryable: true, details: details ? [details(connect)] : undefined });
    }
    const retryDelay = connect.findDetails(RetryInfoSchema)[0]?.retryDelay;
    if (!retryDelay) throw error;
    throw ApplicationFailure.create({ type: Code[connect.code], message: connect.rawMessage, nextRetryDelay: durationMs(retryDelay), cause: connect });
  }
}

/** The sku inventory refused (its ErrorInfo), for the customer's reason. */
export function stockDetails(error: ConnectError): { sku?: string } {
  return { sku: refusalInfo(error)?.metadata?.sku };
}
