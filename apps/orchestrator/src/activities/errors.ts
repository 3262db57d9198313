import { Code, ConnectError } from '@connectrpc/connect';
import { ApplicationFailure } from '@temporalio/common';

// Codes a retry cannot change: the service refused, or the request is wrong.
const refusals = new Set([Code.FailedPrecondition, Code.InvalidArgument, Code.NotFound, Code.AlreadyExists, Code.OutOfRange, Code.PermissionDenied]);

/**
 * Runs a service call; a business refusal becomes a non-retryable
 * ApplicationFailure of `type` (with `details`), anything else (UNAVAILABLE,
 * ABORTED, DEADLINE_EXCEEDED...) is rethrown for Temporal to retry.
 */
export async function refusalsAs<T>(type: string, call: Promise<T>, details?: (error: ConnectError) => unknown): Promise<T> {
  try {
    return await call;
  } catch (error) {
    const connect = ConnectError.from(error);
    if (!refusals.has(connect.code)) throw error;
    throw ApplicationFailure.create({
      type,
      message: connect.rawMessage,
      nonRetryable: true,
      details: details ? [details(connect)] : undefined,
    });
  }
}

/** "insufficient stock for sku X: ..." -> { sku: "X" }, for the customer's reason. */
export function stockDetails(error: ConnectError): { sku?: string } {
  return { sku: /sku ([^\s:]+)/.exec(error.rawMessage)?.[1] };
}
