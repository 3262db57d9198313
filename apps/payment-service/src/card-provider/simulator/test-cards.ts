/** The simulator's test cards: what each payment token makes the provider do. */
import { Code, ConnectError } from '@connectrpc/connect';

export interface TokenBehaviour {
  /** How many requests for a charge fail as transient before it goes through. */
  transientFailures: number;
  /** Answers only after the simulator's slow delay. */
  slow: boolean;
  /** Set when the card is declined. */
  declineReason?: string;
}

/** tok_success, tok_slow, tok_declined, and tok_flaky_<n> (fails n times, then succeeds); any other token is refused. */
export function tokenBehaviour(token: string): TokenBehaviour {
  if (token === 'tok_success') return { transientFailures: 0, slow: false };
  if (token === 'tok_slow') return { transientFailures: 0, slow: true };
  if (token === 'tok_declined') return { transientFailures: 0, slow: false, declineReason: 'card declined: insufficient funds' };
  const flaky = /^tok_flaky_([0-9]{1,3})$/.exec(token);
  if (flaky) return { transientFailures: Number(flaky[1]), slow: false };
  throw new ConnectError('payment_token: unknown token', Code.InvalidArgument);
}
