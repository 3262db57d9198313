/** How workflow code proxies activities: the retry and timeout options its steps share. */
import { ActivityCancellationType, type ActivityOptions, type RetryPolicy } from '@temporalio/workflow';

/** Backoff from a second, doubling, capped at a minute; no attempt limit. */
export const backoff: RetryPolicy = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' };

/** Undos, end states and the delivery mark: they never give up. */
export const untilDone: ActivityOptions = { startToCloseTimeout: '1 minute', retry: backoff };

// A forward step, on cancellation, waits for an attempt in flight to end
// before compensating: otherwise a charge could land after its refund ran.
export const cancellationType = ActivityCancellationType.WAIT_CANCELLATION_COMPLETED;
