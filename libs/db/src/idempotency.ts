/**
 * Idempotency keys for mutating RPCs (DESIGN.md): the same key with the same
 * request returns the first outcome and has no second effect; the same key
 * with a different request is refused with ALREADY_EXISTS.
 *
 * Each service's database has the table (its model: libs/db/prisma/idempotency-key.prisma):
 *   idempotency_keys(scope, key, fingerprint, response, error_code, error_message, error_details)
 * The key row is written in the same transaction as the effect, so the two
 * commit together or not at all. A concurrent duplicate blocks on the key's
 * unique index until the first commits, then replays its outcome.
 */
import { createHash } from 'node:crypto';
import {
  create,
  fromJson,
  toBinary,
  toJson,
  type DescMessage,
  type DescMethod,
  type DescMethodUnary,
  type JsonValue,
  type MessageShape,
} from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { refused, type RefusalInfo } from '@oms/platform';

/** The raw-SQL surface every Prisma client and transaction client has. */
export interface SqlClient {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): Promise<T>;
  $executeRawUnsafe(query: string, ...values: unknown[]): Promise<number>;
}

export interface TransactionRunner<Tx extends SqlClient> extends SqlClient {
  $transaction<R>(work: (tx: Tx) => Promise<R>, options?: { maxWait?: number; timeout?: number }): Promise<R>;
}

// Prisma's defaults (2 s to get a connection, 5 s to finish) are too tight
// for bursts, where calls queue for the pool: a wait is not a failure.
const transactionLimits = { maxWait: 10_000, timeout: 15_000 };

/**
 * A business refusal that is part of the outcome: returned (not thrown) by
 * the work, it is committed with the work's writes and replayed to every
 * retry of the same key. Thrown errors roll everything back instead.
 */
export class Refusal {
  constructor(readonly error: ConnectError) {}
}

/** A FAILED_PRECONDITION refusal; `info` (reason, facts such as the sku) is what callers read, never the message. */
export function refuse(message: string, info?: RefusalInfo): Refusal {
  return new Refusal(refused(message, info));
}

type KeyedRequest<Req extends DescMessage> = MessageShape<Req> & { idempotencyKey: string };

/** A mutating RPC: its method says the scope of its keys and the request and response types. */
export interface IdempotentCall<Req extends DescMessage, Res extends DescMessage> {
  method: DescMethodUnary<Req, Res>;
  request: KeyedRequest<Req>;
}

/**
 * Keys are unique per RPC: oms.inventory.v1.InventoryService/ReserveStock
 * keys live in scope "inventory.ReserveStock" (where they always have).
 */
export const scopeOf = (method: DescMethod): string => `${method.parent.typeName.split('.')[1]}.${method.name}`;

interface KeyRow {
  fingerprint: string;
  response: JsonValue | null;
  error_code: number | null;
  error_message: string | null;
  /** A refusal's details (ErrorInfo, BadRequest), so a replay carries what callers read, not only the message. */
  error_details: StoredDetail[] | null;
}

interface StoredDetail {
  type: string;
  /** The detail message's binary encoding, base64. */
  value: string;
}

const storedDetails = (error: ConnectError): StoredDetail[] =>
  error.details.map((d) =>
    'desc' in d
      ? { type: d.desc.typeName, value: Buffer.from(toBinary(d.desc, create(d.desc, d.value))).toString('base64') }
      : { type: d.type, value: Buffer.from(d.value).toString('base64') },
  );

function fingerprint<Req extends DescMessage>(schema: Req, request: KeyedRequest<Req>): string {
  const withoutKey = create(schema, { ...request, idempotencyKey: '' } as never);
  return createHash('sha256').update(toBinary(schema, withoutKey)).digest('base64url');
}

function replay<Res extends DescMessage>(call: IdempotentCall<DescMessage, Res>, row: KeyRow, print: string): MessageShape<Res> {
  if (row.fingerprint !== print) {
    throw new ConnectError(`idempotency_key "${call.request.idempotencyKey}" was already used for a different request`, Code.AlreadyExists);
  }
  if (row.error_code !== null) {
    const error = new ConnectError(row.error_message ?? '', row.error_code as Code);
    // Stored as they go on the wire: the caller decodes them as it would a remote error's.
    error.details.push(...(row.error_details ?? []).map((d) => ({ type: d.type, value: Buffer.from(d.value, 'base64') })));
    throw error;
  }
  if (row.response === null) throw new ConnectError('idempotent outcome missing', Code.Internal);
  return fromJson(call.method.output, row.response);
}

const selectKey = `SELECT fingerprint, response, error_code, error_message, error_details FROM idempotency_keys WHERE scope = $1 AND key = $2`;

/**
 * The stored outcome of an earlier call with this key, if any (throwing as it
 * did). For work that must happen outside the transaction (a remote call)
 * and is skipped on replay; `idempotent` still guards the write.
 */
export async function priorOutcome<Req extends DescMessage, Res extends DescMessage>(
  db: SqlClient,
  call: IdempotentCall<Req, Res>,
): Promise<MessageShape<Res> | undefined> {
  const [row] = await db.$queryRawUnsafe<KeyRow[]>(selectKey, scopeOf(call.method), call.request.idempotencyKey);
  return row && replay(call, row, fingerprint(call.method.input, call.request));
}

/** Runs `work` once per key, in one transaction with the key's outcome. */
export async function idempotent<Tx extends SqlClient, Req extends DescMessage, Res extends DescMessage>(
  db: TransactionRunner<Tx>,
  call: IdempotentCall<Req, Res>,
  work: (tx: Tx) => Promise<MessageShape<Res> | Refusal>,
): Promise<MessageShape<Res>> {
  const print = fingerprint(call.method.input, call.request);
  const scope = scopeOf(call.method);
  const key = call.request.idempotencyKey;
  // This call's own refusal leaves as it was made, with its details (e.g. an ErrorInfo naming the sku).
  let refusal: Refusal | undefined;
  const outcome = await db.$transaction(async (tx): Promise<KeyRow> => {
    const claimed = await tx.$queryRawUnsafe<unknown[]>(
      `INSERT INTO idempotency_keys (scope, key, fingerprint) VALUES ($1, $2, $3)
       ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
      scope,
      key,
      print,
    );
    if (claimed.length === 0) {
      const [row] = await tx.$queryRawUnsafe<KeyRow[]>(selectKey, scope, key);
      return row!;
    }
    const result = await work(tx);
    refusal = result instanceof Refusal ? result : undefined;
    const row: KeyRow =
      result instanceof Refusal
        ? {
            fingerprint: print,
            response: null,
            error_code: result.error.code,
            error_message: result.error.rawMessage,
            error_details: storedDetails(result.error),
          }
        : { fingerprint: print, response: toJson(call.method.output, result), error_code: null, error_message: null, error_details: null };
    await tx.$executeRawUnsafe(
      `UPDATE idempotency_keys SET response = $3::jsonb, error_code = $4, error_message = $5, error_details = $6::jsonb WHERE scope = $1 AND key = $2`,
      scope,
      key,
      row.response === null ? null : JSON.stringify(row.response),
      row.error_code,
      row.error_message,
      row.error_details === null ? null : JSON.stringify(row.error_details),
    );
    return row;
  }, transactionLimits);
  if (refusal) throw refusal.error;
  return replay(call, outcome, print);
}
