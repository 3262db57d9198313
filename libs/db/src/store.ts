import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { idempotent, priorOutcome, Refusal, type IdempotentCall, type SqlClient, type TransactionRunner } from './idempotency';

/**
 * What every service's store shares: mutations that run once per
 * idempotency key, and the replay lookup.
 */
export class IdempotentStore<Tx extends SqlClient> {
  constructor(protected readonly db: TransactionRunner<Tx>) {}

  /** Runs a mutation once per idempotency key (see `idempotent`). */
  transact<Req extends DescMessage, Res extends DescMessage>(
    call: IdempotentCall<Req, Res>,
    work: (tx: Tx) => Promise<MessageShape<Res> | Refusal>,
  ): Promise<MessageShape<Res>> {
    return idempotent(this.db, call, work);
  }

  /** The recorded outcome of this key, so a replay skips remote calls made before `transact`. */
  prior<Req extends DescMessage, Res extends DescMessage>(call: IdempotentCall<Req, Res>): Promise<MessageShape<Res> | undefined> {
    return priorOutcome(this.db, call);
  }
}

/** Passes a refusal through, or maps a found row; a missing one is NOT_FOUND ("<what> not found"). */
export function found<Row, Out>(row: Row | Refusal | null, what: string, map: (row: Row) => Out): Out | Refusal {
  if (row === null) throw new ConnectError(`${what} not found`, Code.NotFound);
  return row instanceof Refusal ? row : map(row);
}
