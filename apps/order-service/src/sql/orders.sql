/*
  The hot order queries. `npm run setup` (PgTyped, docs/typed-sql.md)
  generates orders.queries.ts from this file against the migrated template database:
  parameter and row types come from Postgres itself.

  Items and history travel as JSON built by Postgres, so an order with
  everything it shows is one round trip. Every read keeps to the buckets this
  shard owns: a bucket being moved here has a copy here before it is ours. Amounts go into JSON as text: a JSON
  number would lose a bigint's precision.
*/

/* @name GetOrder */
SELECT o.id, o.customer_id, o.status, o.total_minor, o.currency, o.notes, o.shortfall, o.created_at, o.updated_at,
       items.items AS "items!",
       coalesce(history.history, '[]') AS "history!"
FROM orders o
CROSS JOIN LATERAL (
  SELECT coalesce(json_agg(json_build_object(
           'sku', i.sku, 'name', i.name, 'quantity', i.quantity,
           'unitPriceMinor', i.unit_price_minor::text, 'lineTotalMinor', i.line_total_minor::text)
         ORDER BY i.sku), '[]') AS items
  FROM order_items i WHERE i.order_id = o.id
) items
CROSS JOIN LATERAL (
  SELECT json_agg(json_build_object(
           'fromStatus', h.from_status, 'toStatus', h.to_status, 'reason', h.reason, 'changedAt', h.changed_at)
         ORDER BY h.seq) AS history
  FROM order_status_history h WHERE h.order_id = o.id
) history
WHERE o.id = :id!
  AND EXISTS (SELECT 1 FROM owned_buckets b WHERE b.bucket = o.bucket);

/*
  A keyset page of a customer's orders, newest first; with a NULL customer,
  every customer's (one shard's part of ListAllOrders, which
  src/cross-shard.ts merges). The row comparison (created_at, id) < cursor
  keeps pages stable while orders are added; a NULL status or cursor means
  "any" and "from the start" (each call is planned with its values, so the
  unused conditions fold away).
*/
/* @name ListOrders */
SELECT o.id, o.customer_id, o.status, o.total_minor, o.currency, o.notes, o.shortfall, o.created_at, o.updated_at,
       items.items AS "items!"
FROM orders o
CROSS JOIN LATERAL (
  SELECT coalesce(json_agg(json_build_object(
           'sku', i.sku, 'name', i.name, 'quantity', i.quantity,
           'unitPriceMinor', i.unit_price_minor::text, 'lineTotalMinor', i.line_total_minor::text)
         ORDER BY i.sku), '[]') AS items
  FROM order_items i WHERE i.order_id = o.id
) items
WHERE (:customerId::bigint IS NULL OR o.customer_id = :customerId::bigint)
  AND (:status::order_status IS NULL OR o.status = :status::order_status)
  AND (:afterCreatedAt::timestamptz IS NULL OR (o.created_at, o.id) < (:afterCreatedAt::timestamptz, :afterId::bigint))
  AND EXISTS (SELECT 1 FROM owned_buckets b WHERE b.bucket = o.bucket)
ORDER BY o.created_at DESC, o.id DESC
LIMIT :limit!::int;

/*
  A keyset page of the PENDING orders of one shard created before a time, oldest
  first, with the payment token each was placed with: its part of
  ListPendingOrders (the candidates of the orphan reconciler). The plain
  created_at bound beside the row comparison lets the (status, created_at)
  index start at the cursor; few orders are PENDING, so ties on created_at
  sort cheaply.
*/
/* @name ListPendingOrders */
SELECT o.id, o.customer_id, o.created_at, o.payment_token
FROM orders o
WHERE o.status = 'PENDING'
  AND o.created_at < :createdBefore!::timestamptz
  AND (:afterCreatedAt::timestamptz IS NULL OR (o.created_at >= :afterCreatedAt::timestamptz AND (o.created_at, o.id) > (:afterCreatedAt::timestamptz, :afterId::bigint)))
  AND EXISTS (SELECT 1 FROM owned_buckets b WHERE b.bucket = o.bucket)
ORDER BY o.created_at, o.id
LIMIT :limit!::int;

/*
  A status change and its history row in one statement (the row is locked
  by LockOrder first, which also makes the history's next seq safe to take);
  answers with the order as it is now, without history. The shortfall is the
  new status's: given with AWAITING_CUSTOMER, cleared (NULL) by every other move.
*/
/* @name MoveOrder */
WITH moved AS (
  UPDATE orders
  SET status = :to!::order_status,
      notes = CASE WHEN :to!::order_status = 'CANCELLED' THEN :reason! ELSE notes END,
      shortfall = :shortfall::jsonb,
      updated_at = now()
  WHERE id = :id!
  RETURNING id, customer_id, status, total_minor, currency, notes, shortfall, created_at, updated_at
), logged AS (
  INSERT INTO order_status_history (order_id, seq, from_status, to_status, reason)
  SELECT id, (SELECT coalesce(max(h.seq), 0) + 1 FROM order_status_history h WHERE h.order_id = moved.id), :from!::order_status, :to!::order_status, :reason!
  FROM moved
)
SELECT m.id, m.customer_id, m.status, m.total_minor, m.currency, m.notes, m.shortfall, m.created_at, m.updated_at,
       items.items AS "items!"
FROM moved m
CROSS JOIN LATERAL (
  SELECT coalesce(json_agg(json_build_object(
           'sku', i.sku, 'name', i.name, 'quantity', i.quantity,
           'unitPriceMinor', i.unit_price_minor::text, 'lineTotalMinor', i.line_total_minor::text)
         ORDER BY i.sku), '[]') AS items
  FROM order_items i WHERE i.order_id = m.id
) items;

/* The order row locked for the rest of the transaction, with what validation needs. */
/* @name LockOrder */
SELECT o.id, o.status, o.total_minor,
       (SELECT count(*) FROM order_items i WHERE i.order_id = o.id) AS "item_count!",
       (c.ship_line1 IS NOT NULL) AS "has_shipping_address!"
FROM orders o JOIN customers c ON c.id = o.customer_id
WHERE o.id = :id!
FOR UPDATE OF o;

/*
  Orders in the given statuses (the saga's, src/metrics.ts) created more than
  5 minutes ago, by status and age: the orders_not_terminal gauge, read at
  each scrape. The (status, created_at) index reads only these rows (few
  while the saga keeps up), never the whole table.
*/
/*
  @name CountStuckOrders
  @param statuses -> (...)
*/
SELECT status,
       count(*) AS "over5m!",
       count(*) FILTER (WHERE created_at < now() - interval '1 hour') AS "over1h!",
       count(*) FILTER (WHERE created_at < now() - interval '1 day') AS "over1d!"
FROM orders
WHERE status IN :statuses!
  AND created_at < now() - interval '5 minutes'
  AND bucket IN (SELECT bucket FROM owned_buckets)
GROUP BY status;

/* One shard's orders by status: its part of CountOrdersByStatus. */
/* @name CountOrdersByStatus */
SELECT status, count(*) AS "count!"
FROM orders
WHERE bucket IN (SELECT bucket FROM owned_buckets)
GROUP BY status;

