/*
  The hot inventory queries. `npm run setup` (PgTyped, docs/typed-sql.md)
  generates products.queries.ts from this file against the migrated template
  database: parameter and row types come from Postgres itself.
*/

/* Locks the products' rows in sku order, so that concurrent calls cannot deadlock. */
/* @name LockStock */
SELECT sku, available FROM products WHERE sku = ANY(:skus!::text[]) ORDER BY sku FOR UPDATE;

/*
  Moves units between the three buckets for every line at once: each bucket
  changes by its sign times the line's quantity (reserve: -1 +1 0; commit:
  0 -1 +1; release: +1 and -1 from where the units are). The CHECKs on the
  buckets refuse a move that would make one negative.
*/
/* @name MoveStock */
UPDATE products p
SET available = p.available + :availableSign!::int * l.quantity,
    reserved = p.reserved + :reservedSign!::int * l.quantity,
    committed = p.committed + :committedSign!::int * l.quantity,
    updated_at = now()
FROM unnest(:skus!::text[], :quantities!::int[]) AS l(sku, quantity)
WHERE p.sku = l.sku;

/* A keyset page in sku order, of the given skus or (an empty list) of all. */
/* @name ListProducts */
SELECT * FROM products
WHERE (cardinality(:skus!::text[]) = 0 OR sku = ANY(:skus!::text[]))
  AND (:after::text IS NULL OR sku > :after::text)
ORDER BY sku
LIMIT :limit!::int;
