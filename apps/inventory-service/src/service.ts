/** The InventoryService RPC handlers (requests arrive validated against the contract): run in the store, map to the wire. */
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { ServiceImpl } from '@connectrpc/connect';
import { LineSchema, MoneySchema } from '@oms/contracts/common/v1';
import {
  AdjustStockRequestSchema,
  AdjustStockResponseSchema,
  CommitReservationRequestSchema,
  CommitReservationResponseSchema,
  CreateProductRequestSchema,
  CreateProductResponseSchema,
  InventoryService,
  ProductSchema,
  ReleaseReservationRequestSchema,
  ReleaseReservationResponseSchema,
  ReservationSchema,
  ReservationStatus,
  ReserveStockRequestSchema,
  ReserveStockResponseSchema,
  type Product,
  type Reservation,
} from '@oms/contracts/inventory/v1';
import { notFound, pageToken } from '@oms/platform';
import { found, Refusal } from '@oms/db';
import type { InventoryStore, ProductRow, ReservationRow } from './store';

export function toProduct(row: ProductRow): Product {
  return create(ProductSchema, {
    sku: row.sku,
    name: row.name,
    unitPrice: create(MoneySchema, { amountMinor: row.priceMinor, currency: row.currency }),
    available: row.available,
    reserved: row.reserved,
    committed: row.committed,
    createdAt: timestampFromDate(row.createdAt),
    updatedAt: timestampFromDate(row.updatedAt),
  });
}

export function toReservation(row: ReservationRow): Reservation {
  return create(ReservationSchema, {
    id: row.id.toString(),
    orderId: row.orderId.toString(),
    status: ReservationStatus[row.status],
    lines: row.lines.map((l) => create(LineSchema, { sku: l.sku, quantity: l.quantity })),
    createdAt: timestampFromDate(row.createdAt),
    updatedAt: timestampFromDate(row.updatedAt),
  });
}


const outcome = <Row, Out>(row: Row | Refusal, map: (row: Row) => Out): Out | Refusal =>
  row instanceof Refusal ? row : map(row);

const isSku = (value: unknown): value is string => typeof value === 'string';

export function createInventoryService(store: InventoryStore): ServiceImpl<typeof InventoryService> {
  return {
    async createProduct(req) {
      const call = { scope: 'inventory.CreateProduct', requestSchema: CreateProductRequestSchema, request: req, responseSchema: CreateProductResponseSchema };
      return store.transact(call, async (tx) => {
        const row = await store.createProduct(tx, {
          sku: req.sku,
          name: req.name,
          priceMinor: req.unitPrice!.amountMinor,
          currency: req.unitPrice!.currency,
          stock: req.initialStock,
        });
        return outcome(row, (product) => create(CreateProductResponseSchema, { product: toProduct(product) }));
      });
    },

    async getProduct({ sku }) {
      const row = await store.getProduct(sku);
      if (!row) throw notFound(`product ${sku}`);
      return { product: toProduct(row) };
    },

    async listProducts(req) {
      const limit = req.pageSize || 50;
      const after = pageToken.decode(req.pageToken, isSku);
      const rows = await store.listProducts({ skus: req.skus, after, limit: limit + 1 });
      const page = rows.slice(0, limit);
      return {
        products: page.map(toProduct),
        nextPageToken: rows.length > limit ? pageToken.encode(page.at(-1)!.sku) : '',
      };
    },

    async adjustStock(req) {
      const call = { scope: 'inventory.AdjustStock', requestSchema: AdjustStockRequestSchema, request: req, responseSchema: AdjustStockResponseSchema };
      return store.transact(call, async (tx) =>
        found(await store.adjustStock(tx, req.sku, req.delta, req.reason), `product ${req.sku}`, (row) =>
          create(AdjustStockResponseSchema, { product: toProduct(row) }),
        ),
      );
    },

    async reserveStock(req) {
      const call = { scope: 'inventory.ReserveStock', requestSchema: ReserveStockRequestSchema, request: req, responseSchema: ReserveStockResponseSchema };
      return store.transact(call, async (tx) =>
        outcome(await store.reserve(tx, req.orderId, req.lines), (row) =>
          create(ReserveStockResponseSchema, { reservation: toReservation(row) }),
        ),
      );
    },

    async commitReservation(req) {
      const call = { scope: 'inventory.CommitReservation', requestSchema: CommitReservationRequestSchema, request: req, responseSchema: CommitReservationResponseSchema };
      return store.transact(call, async (tx) =>
        found(await store.commit(tx, req.orderId), `reservation for order ${req.orderId}`, (row) =>
          create(CommitReservationResponseSchema, { reservation: toReservation(row) }),
        ),
      );
    },

    async releaseReservation(req) {
      const call = { scope: 'inventory.ReleaseReservation', requestSchema: ReleaseReservationRequestSchema, request: req, responseSchema: ReleaseReservationResponseSchema };
      return store.transact(call, async (tx) =>
        outcome(await store.release(tx, req.orderId), (row) =>
          create(ReleaseReservationResponseSchema, { reservation: toReservation(row) }),
        ),
      );
    },

    async getReservation({ orderId }) {
      const row = await store.getReservation(orderId);
      if (!row) throw notFound(`reservation for order ${orderId}`);
      return { reservation: toReservation(row) };
    },
  };
}
