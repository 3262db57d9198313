import type { DescMessage, DescMethodUnary, MessageShape } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { idempotent, priorOutcome, Refusal, type IdempotentCall, type SqlClient, type TransactionRunner } from './idempotency';

/**
 * What every service's store shares: mutations that run once per
 * idempotency key, and the replay lookup.
 */
export class IdempotentStore<Tx extends SqlClient> {
  constructor(protected readonly db: TransactionRunner<Tx>) {}

  /**
   * Runs the mutating RPC `method` once per idempotency key of `request`
   * (see `idempotent`): the one way every service's mutations run.
   */
  transact<Req extends DescMessage, Res extends DescMessage>(
    method: DescMethodUnary<Req, Res>,
    request: IdempotentCall<Req, Res>['request'],
    work: (tx: Tx) => Promise<MessageShape<Res> | Refusal>,
  ): Promise<MessageShape<Res>> {
    return idempotent(this.db, { method, request }, work);
  }

  /** The recorded outcome of this key, so a replay skips remote calls made before `transact`. */
  prior<Req extends DescMessage, Res extends DescMessage>(
    method: DescMethodUnary<Req, Res>,
    request: IdempotentCall<Req, Res>['request'],
  ): Promise<MessageShape<Res> | undefined> {
    return priorOutcome(this.db, { method, request });
  }
}

/** A mutation's answer: a refusal as it is, a row mapped to the response; a missing row (when `what` names it) is NOT_FOUND ("<what> not found"). */
export function found<Row, Out>(row: Row | Refusal | null, what: string, map: (row: Row) => Out): Out | Refusal {
  if (row === null) throw new ConnectError(`${what} not found`, Code.NotFound);
  return row instanceof Refusal ? row : map(row);
}
