/**
 * The JSON shapes of the API (TypeBox): they validate requests, shape
 * responses and generate the OpenAPI document. Request objects reject
 * unknown fields. Money is { amountMinor: "<digits>", currency }: a string,
 * so no client ever holds money in a float.
 * Request limits are read from the contract's rules (proto/), so a limit
 * changed there changes the HTTP API too; where the JSON differs from the
 * proto, the limit written here says why.
 */
import { AddressSchema, LineSchema, MoneySchema } from '@oms/contracts/common/v1';
import { AdjustStockRequestSchema, CreateProductRequestSchema } from '@oms/contracts/inventory/v1';
import { integerKeywords, itemsKeywords, stringKeywords } from '@oms/contracts/json-rules';
import { statuses } from '@oms/contracts/order-lifecycle';
import {
  CreateCustomerRequestSchema,
  CreateOrderRequestSchema,
  GetOrderRequestSchema,
  ListAllOrdersRequestSchema,
  ListOrdersRequestSchema,
  UpdateOrderStatusRequestSchema,
  AmendOrderRequestSchema,
} from '@oms/contracts/order/v1';
import { BucketMoveSchema } from '@oms/contracts/order/v1/bucket-moves';
import { ChargeRequestSchema } from '@oms/contracts/payment/v1';
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;

const OrderStatusName = Type.Union(statuses.map((s) => Type.Literal(s)));

const Money = Type.Object(
  {
    // The proto's int64 >= 0 as a decimal string: up to 18 digits always fits.
    amountMinor: Type.String({ pattern: '^(0|[1-9][0-9]{0,17})$', description: 'integer count of minor units, as a string', examples: ['1299'] }),
    currency: Type.String({ ...stringKeywords(MoneySchema.field.currency), description: 'ISO 4217 code', examples: ['EUR'] }),
  },
  strict,
);

// Every id has the contract's one id rule.
const Id = Type.String({ ...stringKeywords(GetOrderRequestSchema.field.orderId), description: 'a decimal id' });
export const IdParams = Type.Object({ id: Id });

const idempotencyKey = stringKeywords(CreateOrderRequestSchema.field.idempotencyKey);
/** Room for the "<customer id>:" scope POST /v1/orders puts before the key (20 characters at most; 40 keeps the long-standing 160). */
const keyScopeRoom = 40;
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.String({
    ...idempotencyKey,
    maxLength: idempotencyKey.maxLength! - keyScopeRoom,
    description: 'same key + same body = same result, no second effect',
  }),
});

export const Line = Type.Object(
  { sku: Type.String(stringKeywords(LineSchema.field.sku)), quantity: Type.Integer(integerKeywords(LineSchema.field.quantity)) },
  strict,
);

export const CreateOrderBody = Type.Object(
  {
    lines: Type.Array(Line, itemsKeywords(CreateOrderRequestSchema.field.lines)),
    // Not CreateOrder's: the saga hands it to payment-service's Charge, whose rules it must meet.
    paymentToken: Type.String({ ...stringKeywords(ChargeRequestSchema.field.paymentToken), description: "the payment provider's token (never card data)" }),
  },
  strict,
);
export type CreateOrderBody = Static<typeof CreateOrderBody>;

export const OrderAccepted = Type.Object({
  orderId: Id,
  status: OrderStatusName,
  statusUrl: Type.String(),
  progressUrl: Type.String(),
});

const OrderItem = Type.Object({ sku: Type.String(), name: Type.String(), quantity: Type.Integer(), unitPrice: Money, lineTotal: Money });
const Shortfall = Type.Array(Type.Object({ sku: Type.String(), requested: Type.Integer(), available: Type.Integer({ description: 'units in stock now' }) }), {
  description: 'while AWAITING_CUSTOMER: the lines the stock cannot cover',
});
const StatusChange = Type.Object({
  from: Type.Union([OrderStatusName, Type.Null()]),
  to: OrderStatusName,
  reason: Type.String(),
  changedAt: Type.String({ format: 'date-time' }),
});
export const Order = Type.Object({
  id: Id,
  customerId: Id,
  status: OrderStatusName,
  items: Type.Array(OrderItem),
  total: Money,
  cancelReason: Type.Optional(Type.String()),
  shortfall: Type.Optional(Shortfall),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  history: Type.Optional(Type.Array(StatusChange)),
});

// A string in the query: body validation never coerces types, so neither does the query.
// Hence page_size's 1..100 is written as a pattern; test/schemas.test.ts holds it to the contract.
const PageSize = Type.String({ pattern: '^([1-9][0-9]?|100)$', description: '1 to 100 (default 20)' });

export const ListOrdersQuery = Type.Object(
  {
    status: Type.Optional(OrderStatusName),
    limit: Type.Optional(PageSize),
    cursor: Type.Optional(Type.String({ ...stringKeywords(ListOrdersRequestSchema.field.pageToken), description: 'nextCursor of the previous page' })),
  },
  strict,
);
export const OrderPage = Type.Object({ orders: Type.Array(Order), nextCursor: Type.Union([Type.String(), Type.Null()]) });

// The back office's views over every shard: named as the contract names them (ListAllOrders, CountOrdersByStatus).
const MissingShards = Type.Array(Type.Object({ shard: Type.Integer(), reason: Type.String({ examples: ['no answer in 2000 ms'] }) }), {
  description: 'the shards whose orders this answer leaves out, and why; empty when every shard answered',
});
export const AllOrdersQuery = Type.Object(
  {
    status: Type.Optional(OrderStatusName),
    pageSize: Type.Optional(PageSize),
    pageToken: Type.Optional(Type.String({ ...stringKeywords(ListAllOrdersRequestSchema.field.pageToken), description: 'nextPageToken of the previous page' })),
  },
  strict,
);
export const AllOrdersPage = Type.Object(
  { orders: Type.Array(Order), nextPageToken: Type.Union([Type.String(), Type.Null()]), missingShards: MissingShards },
  { description: 'A partial page (some shards missing) is still 200: its orders are the newest of the shards that answered, in order.' },
);
export const OrderCounts = Type.Object(
  {
    counts: Type.Array(Type.Object({ status: OrderStatusName, count: Type.Integer() }), { description: 'the statuses that have orders' }),
    total: Type.Integer(),
    missingShards: MissingShards,
  },
  { description: 'A partial count (some shards missing) is still 200: the sums of the shards that answered.' },
);

export const Progress = Type.Object({
  orderId: Id,
  currentStep: Type.String(),
  stepsDone: Type.Array(Type.String()),
  compensationsRun: Type.Array(Type.String()),
  outcome: Type.Optional(
    Type.Object({
      orderId: Id,
      status: Type.Union([Type.Literal('COMPLETED'), Type.Literal('CANCELLED')]),
      reason: Type.Optional(Type.String()),
      trackingNumber: Type.Optional(Type.String()),
    }),
  ),
  awaitingCustomer: Type.Optional(
    Type.Object(
      { shortfall: Shortfall, deadline: Type.String({ format: 'date-time', description: 'when the order is cancelled without an answer' }) },
      { description: 'while the order waits for the customer to amend or cancel it' },
    ),
  ),
});

// The reason of the order's move to CANCELLED.
export const CancelBody = Type.Object({ reason: Type.Optional(Type.String(stringKeywords(UpdateOrderStatusRequestSchema.field.reason))) }, strict);
export const Accepted = Type.Object({ accepted: Type.Boolean() });

export const AmendBody = Type.Object(
  {
    lines: Type.Array(Line, {
      ...itemsKeywords(AmendOrderRequestSchema.field.lines),
      description: "the order's lines as they should be: fewer units (at most what is available), a line left out is dropped",
    }),
  },
  strict,
);

const Address = Type.Object(
  {
    name: Type.String(stringKeywords(AddressSchema.field.name)),
    line1: Type.String(stringKeywords(AddressSchema.field.line1)),
    line2: Type.Optional(Type.String(stringKeywords(AddressSchema.field.line2))),
    city: Type.String(stringKeywords(AddressSchema.field.city)),
    postalCode: Type.String(stringKeywords(AddressSchema.field.postalCode)),
    country: Type.String({ ...stringKeywords(AddressSchema.field.country), description: 'ISO 3166-1 alpha-2' }),
  },
  strict,
);
export const CreateCustomerBody = Type.Object(
  {
    // Required here: the HTTP API takes the full name only (the RPC also takes first_name instead).
    name: Type.String({ minLength: 1, ...stringKeywords(CreateCustomerRequestSchema.field.name) }),
    // The gateway's minimum ("a@b"); the contract's email rule has no JSON Schema twin and runs in order-service.
    email: Type.String({ minLength: 3, ...stringKeywords(CreateCustomerRequestSchema.field.email) }),
    shippingAddress: Address,
  },
  strict,
);
export const Customer = Type.Object({
  id: Id,
  name: Type.String(),
  firstName: Type.String(),
  lastName: Type.Optional(Type.String({ description: 'absent for a customer known by one name' })),
  email: Type.String(),
  shippingAddress: Type.Optional(Address),
  createdAt: Type.String(),
});

export const Sku = Type.String(stringKeywords(AdjustStockRequestSchema.field.sku));
export const CreateProductBody = Type.Object(
  {
    sku: Type.String(stringKeywords(CreateProductRequestSchema.field.sku)),
    name: Type.String(stringKeywords(CreateProductRequestSchema.field.name)),
    unitPrice: Money,
    // The contract bounds it by int32 only; the gateway's cap is lower.
    initialStock: Type.Integer({ ...integerKeywords(CreateProductRequestSchema.field.initialStock), maximum: 1_000_000_000 }),
  },
  strict,
);
// A delta of 0 (the contract's not_in) is refused by inventory-service: JSON Schema's `not` has no readable message.
export const StockAdjustmentBody = Type.Object(
  { delta: Type.Integer(integerKeywords(AdjustStockRequestSchema.field.delta)), reason: Type.String(stringKeywords(AdjustStockRequestSchema.field.reason)) },
  strict,
);
export const Product = Type.Object({
  sku: Type.String(),
  name: Type.String(),
  unitPrice: Money,
  available: Type.Integer(),
  reserved: Type.Integer(),
  committed: Type.Integer(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const DeliveryBody = Type.Object({ orderId: Id }, strict);

const MoveId = Type.String({ ...stringKeywords(BucketMoveSchema.field.moveId), description: 'names the move (and its workflow, reshard-<moveId>)' });
export const MoveIdParams = Type.Object({ moveId: MoveId });
const Bucket = Type.Integer(integerKeywords(BucketMoveSchema.field.bucket));
const Buckets = Type.Array(Bucket);
const TargetShard = Type.Integer(integerKeywords(BucketMoveSchema.field.targetShard));

// Every bucket at most once: there are 1,024 (docs/sharding.md).
export const ReshardBody = Type.Object(
  {
    targetShard: TargetShard,
    buckets: Type.Array(Bucket, { minItems: 1, maxItems: 1024, uniqueItems: true, description: 'moved one at a time, in this order' }),
  },
  strict,
);
export const ReshardAccepted = Type.Object({ moveId: MoveId, progressUrl: Type.String() });

const ReshardStep = Type.Union(['prepare', 'copy', 'catch up', 'cut over', 'abandon'].map((s) => Type.Literal(s)));
export const ReshardProgress = Type.Object({
  moveId: MoveId,
  targetShard: TargetShard,
  buckets: Buckets,
  moved: Type.Array(Bucket, { description: 'on the target now, in the order they got there' }),
  current: Type.Optional(
    Type.Object({ bucket: Bucket, sourceShard: Type.Optional(Type.Integer()), step: ReshardStep }, { description: 'the bucket under way' }),
  ),
  paused: Type.Boolean({ description: 'a pause was asked for; it takes effect between steps' }),
  rowsCopied: Type.Integer(),
  fencesMs: Type.Array(Type.Number(), { description: "how long each cut-over held its bucket's writes, in ms" }),
  state: Type.Union(
    ['running', 'paused', 'cancelled', 'done', 'failed'].map((s) => Type.Literal(s)),
    {
      description: '`paused` while the move holds between steps',
    },
  ),
  failure: Type.Optional(Type.String({ description: 'why the move failed: the bucket, the step and the refusal' })),
});

const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { description: 'RFC 9457 problem (application/problem+json)' },
);

/** OpenAPI: the error answers a route documents, all problems. */
export const problemResponses = (...statuses: number[]): Record<number, TSchema> => Object.fromEntries(statuses.map((s) => [s, Problem]));

export const bearer = [{ bearerAuth: [] }];
