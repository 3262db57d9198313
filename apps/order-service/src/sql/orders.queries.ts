/** Types generated for queries found in "src/sql/orders.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type order_status = 'AWAITING_CUSTOMER' | 'CANCELLED' | 'CANCELLING' | 'COMPLETED' | 'DELIVERED' | 'PAID' | 'PENDING' | 'RESERVED' | 'SHIPPING' | 'VALIDATED';

export type DateOrString = Date | string;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** 'GetOrder' parameters type */
export interface GetOrderParams {
  id: bigint;
}

/** 'GetOrder' return type */
export interface GetOrderResult {
  createdAt: Date;
  currency: string;
  customerId: bigint;
  history: Json;
  id: bigint;
  items: Json;
  notes: string | null;
  shortfall: Json | null;
  status: order_status;
  totalMinor: bigint;
  updatedAt: Date;
}

/** 'GetOrder' query type */
export interface GetOrderQuery {
  params: GetOrderParams;
  result: GetOrderResult;
}

const getOrderIR: any = {"usedParamSet":{"id":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":822,"b":825}]}],"statement":"SELECT o.id, o.customer_id, o.status, o.total_minor, o.currency, o.notes, o.shortfall, o.created_at, o.updated_at,\n       items.items AS \"items!\",\n       coalesce(history.history, '[]') AS \"history!\"\nFROM orders o\nCROSS JOIN LATERAL (\n  SELECT coalesce(json_agg(json_build_object(\n           'sku', i.sku, 'name', i.name, 'quantity', i.quantity,\n           'unitPriceMinor', i.unit_price_minor::text, 'lineTotalMinor', i.line_total_minor::text)\n         ORDER BY i.sku), '[]') AS items\n  FROM order_items i WHERE i.order_id = o.id\n) items\nCROSS JOIN LATERAL (\n  SELECT json_agg(json_build_object(\n           'fromStatus', h.from_status, 'toStatus', h.to_status, 'reason', h.reason, 'changedAt', h.changed_at)\n         ORDER BY h.seq) AS history\n  FROM order_status_history h WHERE h.order_id = o.id\n) history\nWHERE o.id = :id!\n  AND EXISTS (SELECT 1 FROM owned_buckets b WHERE b.bucket = o.bucket)                                                                                                                                                                                                                                                                                                                                                                                                               "};

/**
 * Query generated from SQL:
 * ```
 * SELECT o.id, o.customer_id, o.status, o.total_minor, o.currency, o.notes, o.shortfall, o.created_at, o.updated_at,
 *        items.items AS "items!",
 *        coalesce(history.history, '[]') AS "history!"
 * FROM orders o
 * CROSS JOIN LATERAL (
 *   SELECT coalesce(json_agg(json_build_object(
 *            'sku', i.sku, 'name', i.name, 'quantity', i.quantity,
 *            'unitPriceMinor', i.unit_price_minor::text, 'lineTotalMinor', i.line_total_minor::text)
 *          ORDER BY i.sku), '[]') AS items
 *   FROM order_items i WHERE i.order_id = o.id
 * ) items
 * CROSS JOIN LATERAL (
 *   SELECT json_agg(json_build_object(
 *            'fromStatus', h.from_status, 'toStatus', h.to_status, 'reason', h.reason, 'changedAt', h.changed_at)
 *          ORDER BY h.seq) AS history
 *   FROM order_status_history h WHERE h.order_id = o.id
 * ) history
 * WHERE o.id = :id!
 *   AND EXISTS (SELECT 1 FROM owned_buckets b WHERE b.bucket = o.bucket)                                                                                                                                                                                                                                                                                                                                                                                                               
 * ```
 */
export const getOrder = new PreparedQuery<GetOrderParams,GetOrderResult>(getOrderIR);


/** 'ListOrders' parameters type */
export interface ListOrdersParams {
  afterCreatedAt?: DateOrString | null | void;
  afterId?: bigint | null | void;
  customerId?: bigint | null | void;
  limit: number;
  status?: order_status | null | void;
}

/** 'ListOrders' return type */
export interface ListOrdersResult {
  createdAt: Date;
  currency: string;
  customerId: bigint;
  id: bigint;
  items: Json;
  notes: string | null;
  shortfall: Json | null;
  status: order_status;
  totalMinor: bigint;
  updatedAt: Date;
}

/** 'ListOrders' query type */
export interface ListOrdersQuery {
  params: ListOrdersParams;
  result: ListOrdersResult;
}

const listOrdersIR: any = {"usedParamSet":{"customerId":true,"status":true,"afterCreatedAt":true,"afterId":true,"limit":true},"params":[{"name":"customerId","required":false,"transform":{"type":"scalar"},"locs":[{"a":492,"b":502},{"a":539,"b":549}]},{"name":"status","required":false,"transform":{"type":"scalar"},"locs":[{"a":567,"b":573},{"a":611,"b":617}]},{"name":"afterCreatedAt","required":false,"transform":{"type":"scalar"},"locs":[{"a":641,"b":655},{"a":705,"b":719}]},{"name":"afterId","required":false,"transform":{"type":"scalar"},"locs":[{"a":735,"b":742}]},{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":869,"b":875}]}],"statement":"SELECT o.id, o.customer_id, o.status, o.total_minor, o.currency, o.notes, o.shortfall, o.created_at, o.updated_at,\n       items.items AS \"items!\"\nFROM orders o\nCROSS JOIN LATERAL (\n  SELECT coalesce(json_agg(json_build_object(\n           'sku', i.sku, 'name', i.name, 'quantity', i.quantity,\n           'unitPriceMinor', i.unit_price_minor::text, 'lineTotalMinor', i.line_total_minor::text)\n         ORDER BY i.sku), '[]') AS items\n  FROM order_items i WHERE i.order_id = o.id\n) items\nWHERE (:customerId::bigint IS NULL OR o.customer_id = :customerId::bigint)\n  AND (:status::order_status IS NULL OR o.status = :status::order_status)\n  AND (:afterCreatedAt::timestamptz IS NULL OR (o.created_at, o.id) < (:afterCreatedAt::timestamptz, :afterId::bigint))\n  AND EXISTS (SELECT 1 FROM owned_buckets b WHERE b.bucket = o.bucket)\nORDER BY o.created_at DESC, o.id DESC\nLIMIT :limit!::int                                                                                                                                                                                                                                                                                                                                                                                                       "};

/**
 * Query generated from SQL:
 * ```
 * SELECT o.id, o.customer_id, o.status, o.total_minor, o.currency, o.notes, o.shortfall, o.created_at, o.updated_at,
 *        items.items AS "items!"
 * FROM orders o
 * CROSS JOIN LATERAL (
 *   SELECT coalesce(json_agg(json_build_object(
 *            'sku', i.sku, 'name', i.name, 'quantity', i.quantity,
 *            'unitPriceMinor', i.unit_price_minor::text, 'lineTotalMinor', i.line_total_minor::text)
 *          ORDER BY i.sku), '[]') AS items
 *   FROM order_items i WHERE i.order_id = o.id
 * ) items
 * WHERE (:customerId::bigint IS NULL OR o.customer_id = :customerId::bigint)
 *   AND (:status::order_status IS NULL OR o.status = :status::order_status)
 *   AND (:afterCreatedAt::timestamptz IS NULL OR (o.created_at, o.id) < (:afterCreatedAt::timestamptz, :afterId::bigint))
 *   AND EXISTS (SELECT 1 FROM owned_buckets b WHERE b.bucket = o.bucket)
 * ORDER BY o.created_at DESC, o.id DESC
 * LIMIT :limit!::int                                                                                                                                                                                                                                                                                                                                                                                                       
 * ```
 */
export const listOrders = new PreparedQuery<ListOrdersParams,ListOrdersResult>(listOrdersIR);


/** 'ListPendingOrders' parameters type */
export interface ListPendingOrdersParams {
  afterCreatedAt?: DateOrString | null | void;
  afterId?: bigint | null | void;
  createdBefore: DateOrString;
  limit: number;
}

/** 'ListPendingOrders' return type */
export interface ListPendingOrdersResult {
  createdAt: Date;
  customerId: bigint;
  id: bigint;
  paymentToken: string | null;
}

/** 'ListPendingOrders' query type */
export interface ListPendingOrdersQuery {
  params: ListPendingOrdersParams;
  result: ListPendingOrdersResult;
}

const listPendingOrdersIR: any = {"usedParamSet":{"createdBefore":true,"afterCreatedAt":true,"afterId":true,"limit":true},"params":[{"name":"createdBefore","required":true,"transform":{"type":"scalar"},"locs":[{"a":120,"b":134}]},{"name":"afterCreatedAt","required":false,"transform":{"type":"scalar"},"locs":[{"a":156,"b":170},{"a":213,"b":227},{"a":270,"b":284}]},{"name":"afterId","required":false,"transform":{"type":"scalar"},"locs":[{"a":300,"b":307}]},{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":425,"b":431}]}],"statement":"SELECT o.id, o.customer_id, o.created_at, o.payment_token\nFROM orders o\nWHERE o.status = 'PENDING'\n  AND o.created_at < :createdBefore!::timestamptz\n  AND (:afterCreatedAt::timestamptz IS NULL OR (o.created_at >= :afterCreatedAt::timestamptz AND (o.created_at, o.id) > (:afterCreatedAt::timestamptz, :afterId::bigint)))\n  AND EXISTS (SELECT 1 FROM owned_buckets b WHERE b.bucket = o.bucket)\nORDER BY o.created_at, o.id\nLIMIT :limit!::int                                                                                                                                                                                                                                                                                                                           "};

/**
 * Query generated from SQL:
 * ```
 * SELECT o.id, o.customer_id, o.created_at, o.payment_token
 * FROM orders o
 * WHERE o.status = 'PENDING'
 *   AND o.created_at < :createdBefore!::timestamptz
 *   AND (:afterCreatedAt::timestamptz IS NULL OR (o.created_at >= :afterCreatedAt::timestamptz AND (o.created_at, o.id) > (:afterCreatedAt::timestamptz, :afterId::bigint)))
 *   AND EXISTS (SELECT 1 FROM owned_buckets b WHERE b.bucket = o.bucket)
 * ORDER BY o.created_at, o.id
 * LIMIT :limit!::int                                                                                                                                                                                                                                                                                                                           
 * ```
 */
export const listPendingOrders = new PreparedQuery<ListPendingOrdersParams,ListPendingOrdersResult>(listPendingOrdersIR);


/** 'MoveOrder' parameters type */
export interface MoveOrderParams {
  from: order_status;
  id: bigint;
  reason: string;
  shortfall?: Json | null | void;
  to: order_status;
}

/** 'MoveOrder' return type */
export interface MoveOrderResult {
  createdAt: Date;
  currency: string;
  customerId: bigint;
  id: bigint;
  items: Json;
  notes: string | null;
  shortfall: Json | null;
  status: order_status;
  totalMinor: bigint;
  updatedAt: Date;
}

/** 'MoveOrder' query type */
export interface MoveOrderQuery {
  params: MoveOrderParams;
  result: MoveOrderResult;
}

const moveOrderIR: any = {"usedParamSet":{"to":true,"reason":true,"shortfall":true,"id":true,"from":true},"params":[{"name":"to","required":true,"transform":{"type":"scalar"},"locs":[{"a":47,"b":50},{"a":91,"b":94},{"a":562,"b":565}]},{"name":"reason","required":true,"transform":{"type":"scalar"},"locs":[{"a":129,"b":136},{"a":582,"b":589}]},{"name":"shortfall","required":false,"transform":{"type":"scalar"},"locs":[{"a":172,"b":181}]},{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":229,"b":232}]},{"name":"from","required":true,"transform":{"type":"scalar"},"locs":[{"a":540,"b":545}]}],"statement":"WITH moved AS (\n  UPDATE orders\n  SET status = :to!::order_status,\n      notes = CASE WHEN :to!::order_status = 'CANCELLED' THEN :reason! ELSE notes END,\n      shortfall = :shortfall::jsonb,\n      updated_at = now()\n  WHERE id = :id!\n  RETURNING id, customer_id, status, total_minor, currency, notes, shortfall, created_at, updated_at\n), logged AS (\n  INSERT INTO order_status_history (order_id, seq, from_status, to_status, reason)\n  SELECT id, (SELECT coalesce(max(h.seq), 0) + 1 FROM order_status_history h WHERE h.order_id = moved.id), :from!::order_status, :to!::order_status, :reason!\n  FROM moved\n)\nSELECT m.id, m.customer_id, m.status, m.total_minor, m.currency, m.notes, m.shortfall, m.created_at, m.updated_at,\n       items.items AS \"items!\"\nFROM moved m\nCROSS JOIN LATERAL (\n  SELECT coalesce(json_agg(json_build_object(\n           'sku', i.sku, 'name', i.name, 'quantity', i.quantity,\n           'unitPriceMinor', i.unit_price_minor::text, 'lineTotalMinor', i.line_total_minor::text)\n         ORDER BY i.sku), '[]') AS items\n  FROM order_items i WHERE i.order_id = m.id\n) items                                                                                       "};

/**
 * Query generated from SQL:
 * ```
 * WITH moved AS (
 *   UPDATE orders
 *   SET status = :to!::order_status,
 *       notes = CASE WHEN :to!::order_status = 'CANCELLED' THEN :reason! ELSE notes END,
 *       shortfall = :shortfall::jsonb,
 *       updated_at = now()
 *   WHERE id = :id!
 *   RETURNING id, customer_id, status, total_minor, currency, notes, shortfall, created_at, updated_at
 * ), logged AS (
 *   INSERT INTO order_status_history (order_id, seq, from_status, to_status, reason)
 *   SELECT id, (SELECT coalesce(max(h.seq), 0) + 1 FROM order_status_history h WHERE h.order_id = moved.id), :from!::order_status, :to!::order_status, :reason!
 *   FROM moved
 * )
 * SELECT m.id, m.customer_id, m.status, m.total_minor, m.currency, m.notes, m.shortfall, m.created_at, m.updated_at,
 *        items.items AS "items!"
 * FROM moved m
 * CROSS JOIN LATERAL (
 *   SELECT coalesce(json_agg(json_build_object(
 *            'sku', i.sku, 'name', i.name, 'quantity', i.quantity,
 *            'unitPriceMinor', i.unit_price_minor::text, 'lineTotalMinor', i.line_total_minor::text)
 *          ORDER BY i.sku), '[]') AS items
 *   FROM order_items i WHERE i.order_id = m.id
 * ) items                                                                                       
 * ```
 */
export const moveOrder = new PreparedQuery<MoveOrderParams,MoveOrderResult>(moveOrderIR);


/** 'LockOrder' parameters type */
export interface LockOrderParams {
  id: bigint;
}

/** 'LockOrder' return type */
export interface LockOrderResult {
  hasShippingAddress: boolean;
  id: bigint;
  itemCount: bigint;
  status: order_status;
  totalMinor: bigint;
}

/** 'LockOrder' query type */
export interface LockOrderQuery {
  params: LockOrderParams;
  result: LockOrderResult;
}

const lockOrderIR: any = {"usedParamSet":{"id":true},"params":[{"name":"id","required":true,"transform":{"type":"scalar"},"locs":[{"a":253,"b":256}]}],"statement":"SELECT o.id, o.status, o.total_minor,\n       (SELECT count(*) FROM order_items i WHERE i.order_id = o.id) AS \"item_count!\",\n       (c.ship_line1 IS NOT NULL) AS \"has_shipping_address!\"\nFROM orders o JOIN customers c ON c.id = o.customer_id\nWHERE o.id = :id!\nFOR UPDATE OF o                                                                                                                                                                                                                                                                                          "};

/**
 * Query generated from SQL:
 * ```
 * SELECT o.id, o.status, o.total_minor,
 *        (SELECT count(*) FROM order_items i WHERE i.order_id = o.id) AS "item_count!",
 *        (c.ship_line1 IS NOT NULL) AS "has_shipping_address!"
 * FROM orders o JOIN customers c ON c.id = o.customer_id
 * WHERE o.id = :id!
 * FOR UPDATE OF o                                                                                                                                                                                                                                                                                          
 * ```
 */
export const lockOrder = new PreparedQuery<LockOrderParams,LockOrderResult>(lockOrderIR);


/** 'CountStuckOrders' parameters type */
export interface CountStuckOrdersParams {
  statuses: readonly (order_status)[];
}

/** 'CountStuckOrders' return type */
export interface CountStuckOrdersResult {
  over1d: bigint;
  over1h: bigint;
  over5m: bigint;
  status: order_status;
}

/** 'CountStuckOrders' query type */
export interface CountStuckOrdersQuery {
  params: CountStuckOrdersParams;
  result: CountStuckOrdersResult;
}

const countStuckOrdersIR: any = {"usedParamSet":{"statuses":true},"params":[{"name":"statuses","required":true,"transform":{"type":"array_spread"},"locs":[{"a":239,"b":248}]}],"statement":"SELECT status,\n       count(*) AS \"over5m!\",\n       count(*) FILTER (WHERE created_at < now() - interval '1 hour') AS \"over1h!\",\n       count(*) FILTER (WHERE created_at < now() - interval '1 day') AS \"over1d!\"\nFROM orders\nWHERE status IN :statuses!\n  AND created_at < now() - interval '5 minutes'\n  AND bucket IN (SELECT bucket FROM owned_buckets)\nGROUP BY status                                                                    "};

/**
 * Query generated from SQL:
 * ```
 * SELECT status,
 *        count(*) AS "over5m!",
 *        count(*) FILTER (WHERE created_at < now() - interval '1 hour') AS "over1h!",
 *        count(*) FILTER (WHERE created_at < now() - interval '1 day') AS "over1d!"
 * FROM orders
 * WHERE status IN :statuses!
 *   AND created_at < now() - interval '5 minutes'
 *   AND bucket IN (SELECT bucket FROM owned_buckets)
 * GROUP BY status                                                                    
 * ```
 */
export const countStuckOrders = new PreparedQuery<CountStuckOrdersParams,CountStuckOrdersResult>(countStuckOrdersIR);


/** 'CountOrdersByStatus' parameters type */
export type CountOrdersByStatusParams = void;

/** 'CountOrdersByStatus' return type */
export interface CountOrdersByStatusResult {
  count: bigint;
  status: order_status;
}

/** 'CountOrdersByStatus' query type */
export interface CountOrdersByStatusQuery {
  params: CountOrdersByStatusParams;
  result: CountOrdersByStatusResult;
}

const countOrdersByStatusIR: any = {"usedParamSet":{},"params":[],"statement":"SELECT status, count(*) AS \"count!\"\nFROM orders\nWHERE bucket IN (SELECT bucket FROM owned_buckets)\nGROUP BY status"};

/**
 * Query generated from SQL:
 * ```
 * SELECT status, count(*) AS "count!"
 * FROM orders
 * WHERE bucket IN (SELECT bucket FROM owned_buckets)
 * GROUP BY status
 * ```
 */
export const countOrdersByStatus = new PreparedQuery<CountOrdersByStatusParams,CountOrdersByStatusResult>(countOrdersByStatusIR);


