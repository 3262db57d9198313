/**
 * The JSON shapes of the API (TypeBox): they validate requests, shape
 * responses and generate the OpenAPI document. Request objects reject
 * unknown fields. Money is { amountMinor: "<digits>", currency }: a string,
 * so no client ever holds money in a float.
 */
import { statuses } from '@oms/contracts/order-lifecycle';
import { Type, type Static, type TSchema } from '@sinclair/typebox';

const strict = { additionalProperties: false } as const;

export const OrderStatusName = Type.Union(statuses.map((s) => Type.Literal(s)));

export const Money = Type.Object(
  {
    amountMinor: Type.String({ pattern: '^(0|[1-9][0-9]{0,17})$', description: 'integer count of minor units, as a string', examples: ['1299'] }),
    currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code', examples: ['EUR'] }),
  },
  strict,
);

export const Id = Type.String({ pattern: '^[1-9][0-9]{0,18}$', description: 'a decimal id' });
export const IdParams = Type.Object({ id: Id });

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.String({ minLength: 1, maxLength: 160, description: 'same key + same body = same result, no second effect' }),
});

export const Line = Type.Object(
  { sku: Type.String({ minLength: 1, maxLength: 64 }), quantity: Type.Integer({ minimum: 1, maximum: 10_000 }) },
  strict,
);

export const CreateOrderBody = Type.Object(
  {
    lines: Type.Array(Line, { minItems: 1, maxItems: 100 }),
    paymentToken: Type.String({ minLength: 1, maxLength: 200, description: "the payment provider's token (never card data)" }),
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

export const OrderItem = Type.Object({ sku: Type.String(), name: Type.String(), quantity: Type.Integer(), unitPrice: Money, lineTotal: Money });
export const StatusChange = Type.Object({
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
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  history: Type.Optional(Type.Array(StatusChange)),
});

export const ListOrdersQuery = Type.Object(
  {
    status: Type.Optional(OrderStatusName),
    // A string in the query: body validation never coerces types, so neither does the query.
    limit: Type.Optional(Type.String({ pattern: '^([1-9][0-9]?|100)$', description: '1 to 100 (default 20)' })),
    cursor: Type.Optional(Type.String({ maxLength: 1000, description: 'nextCursor of the previous page' })),
  },
  strict,
);
export const OrderPage = Type.Object({ orders: Type.Array(Order), nextCursor: Type.Union([Type.String(), Type.Null()]) });

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
});

export const CancelBody = Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }, strict);
export const Accepted = Type.Object({ accepted: Type.Boolean() });

export const Address = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    line1: Type.String({ minLength: 1, maxLength: 200 }),
    line2: Type.Optional(Type.String({ maxLength: 200 })),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    postalCode: Type.String({ minLength: 1, maxLength: 20 }),
    country: Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2' }),
  },
  strict,
);
export const CreateCustomerBody = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 200 }), email: Type.String({ minLength: 3, maxLength: 320 }), shippingAddress: Address },
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

export const Sku = Type.String({ minLength: 1, maxLength: 64 });
export const CreateProductBody = Type.Object(
  { sku: Sku, name: Type.String({ minLength: 1, maxLength: 200 }), unitPrice: Money, initialStock: Type.Integer({ minimum: 0, maximum: 1_000_000_000 }) },
  strict,
);
export const StockAdjustmentBody = Type.Object(
  { delta: Type.Integer({ minimum: -1_000_000_000, maximum: 1_000_000_000 }), reason: Type.String({ minLength: 1, maxLength: 500 }) },
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

export const Problem = Type.Object(
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
export const problemResponses = (...statuses: number[]): Record<number, TSchema> =>
  Object.fromEntries(statuses.map((s) => [s, Problem]));

export const bearer = [{ bearerAuth: [] }];
