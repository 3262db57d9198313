-- Not CONCURRENTLY: rollbacks run in a transaction; dropping an index is quick.
DROP INDEX "orders_created_at_id_idx";
