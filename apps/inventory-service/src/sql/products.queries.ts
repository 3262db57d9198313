/** Types generated for queries found in "src/sql/products.sql" */
import { PreparedQuery } from '@pgtyped/runtime';

export type numberArray = (number)[];

export type stringArray = (string)[];

/** 'LockStock' parameters type */
export interface LockStockParams {
  skus: stringArray;
}

/** 'LockStock' return type */
export interface LockStockResult {
  available: number;
  sku: string;
}

/** 'LockStock' query type */
export interface LockStockQuery {
  params: LockStockParams;
  result: LockStockResult;
}

const lockStockIR: any = {"usedParamSet":{"skus":true},"params":[{"name":"skus","required":true,"transform":{"type":"scalar"},"locs":[{"a":52,"b":57}]}],"statement":"SELECT sku, available FROM products WHERE sku = ANY(:skus!::text[]) ORDER BY sku FOR UPDATE                                                                                                                                                                                                                                                                                             "};

/**
 * Query generated from SQL:
 * ```
 * SELECT sku, available FROM products WHERE sku = ANY(:skus!::text[]) ORDER BY sku FOR UPDATE                                                                                                                                                                                                                                                                                             
 * ```
 */
export const lockStock = new PreparedQuery<LockStockParams,LockStockResult>(lockStockIR);


/** 'MoveStock' parameters type */
export interface MoveStockParams {
  availableSign: number;
  committedSign: number;
  quantities: numberArray;
  reservedSign: number;
  skus: stringArray;
}

/** 'MoveStock' return type */
export type MoveStockResult = void;

/** 'MoveStock' query type */
export interface MoveStockQuery {
  params: MoveStockParams;
  result: MoveStockResult;
}

const moveStockIR: any = {"usedParamSet":{"availableSign":true,"reservedSign":true,"committedSign":true,"skus":true,"quantities":true},"params":[{"name":"availableSign","required":true,"transform":{"type":"scalar"},"locs":[{"a":48,"b":62}]},{"name":"reservedSign","required":true,"transform":{"type":"scalar"},"locs":[{"a":111,"b":124}]},{"name":"committedSign","required":true,"transform":{"type":"scalar"},"locs":[{"a":175,"b":189}]},{"name":"skus","required":true,"transform":{"type":"scalar"},"locs":[{"a":245,"b":250}]},{"name":"quantities","required":true,"transform":{"type":"scalar"},"locs":[{"a":261,"b":272}]}],"statement":"UPDATE products p\nSET available = p.available + :availableSign!::int * l.quantity,\n    reserved = p.reserved + :reservedSign!::int * l.quantity,\n    committed = p.committed + :committedSign!::int * l.quantity,\n    updated_at = now()\nFROM unnest(:skus!::text[], :quantities!::int[]) AS l(sku, quantity)\nWHERE p.sku = l.sku                                                                              "};

/**
 * Query generated from SQL:
 * ```
 * UPDATE products p
 * SET available = p.available + :availableSign!::int * l.quantity,
 *     reserved = p.reserved + :reservedSign!::int * l.quantity,
 *     committed = p.committed + :committedSign!::int * l.quantity,
 *     updated_at = now()
 * FROM unnest(:skus!::text[], :quantities!::int[]) AS l(sku, quantity)
 * WHERE p.sku = l.sku                                                                              
 * ```
 */
export const moveStock = new PreparedQuery<MoveStockParams,MoveStockResult>(moveStockIR);


/** 'ListProducts' parameters type */
export interface ListProductsParams {
  after?: string | null | void;
  limit: number;
  skus: stringArray;
}

/** 'ListProducts' return type */
export interface ListProductsResult {
  available: number;
  committed: number;
  createdAt: Date;
  currency: string;
  name: string;
  priceMinor: bigint;
  reserved: number;
  sku: string;
  updatedAt: Date;
}

/** 'ListProducts' query type */
export interface ListProductsQuery {
  params: ListProductsParams;
  result: ListProductsResult;
}

const listProductsIR: any = {"usedParamSet":{"skus":true,"after":true,"limit":true},"params":[{"name":"skus","required":true,"transform":{"type":"scalar"},"locs":[{"a":42,"b":47},{"a":75,"b":80}]},{"name":"after","required":false,"transform":{"type":"scalar"},"locs":[{"a":99,"b":104},{"a":129,"b":134}]},{"name":"limit","required":true,"transform":{"type":"scalar"},"locs":[{"a":162,"b":168}]}],"statement":"SELECT * FROM products\nWHERE (cardinality(:skus!::text[]) = 0 OR sku = ANY(:skus!::text[]))\n  AND (:after::text IS NULL OR sku > :after::text)\nORDER BY sku\nLIMIT :limit!::int"};

/**
 * Query generated from SQL:
 * ```
 * SELECT * FROM products
 * WHERE (cardinality(:skus!::text[]) = 0 OR sku = ANY(:skus!::text[]))
 *   AND (:after::text IS NULL OR sku > :after::text)
 * ORDER BY sku
 * LIMIT :limit!::int
 * ```
 */
export const listProducts = new PreparedQuery<ListProductsParams,ListProductsResult>(listProductsIR);


