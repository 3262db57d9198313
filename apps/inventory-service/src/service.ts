/** The InventoryService RPC handlers (requests arrive validated against the contract): run in the store, map to the wire. */
import { create } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import type { ServiceImpl } from '@connectrpc/connect';
import { LineSchema, MoneySchema } from '@oms/contracts/common/v1';
import {
  AdjustStockResponseSchema,
  CommitReservationResponseSchema,
  CreateProductResponseSchema,
  InventoryService,
  ProductSchema,
  ReleaseReservationResponseSchema,
  ReservationSchema,
  ReservationStatus,
  ReserveStockResponseSchema,
  type Product,
  type Reservation,
} from '@oms/contracts/inventory/v1';
import { notFound, pageToken } from '@oms/platform';
import { found } from '@oms/db';
import type { InventoryStore, ProductRow, ReservationRow } from './store';

function toProduct(row: ProductRow): Product {
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

function toReservation(row: ReservationRow): Reservation {
  return create(ReservationSchema, {
    id: row.id.toString(),
    orderId: row.orderId.toString(),
    status: ReservationStatus[row.status],
    lines: row.lines.map((l) => create(LineSchema, { sku: l.sku, quantity: l.quantity })),
    createdAt: timestampFromDate(row.createdAt),
    updatedAt: timestampFromDate(row.updatedAt),
  });
}

const isSku = (value: unknown): value is string => typeof value === 'string';

export function createInventoryService(store: InventoryStore): ServiceImpl<typeof InventoryService> {
  return {
    async createProduct(req) {
      return store.transact(InventoryService.method.createProduct, req, async (tx) => {
        const row = await store.createProduct(tx, {
          sku: req.sku,
          name: req.name,
          priceMinor: req.unitPrice!.amountMinor,
          currency: req.unitPrice!.currency,
          stock: req.initialStock,
        });
        return found(row, `product ${req.sku}`, (product) => create(CreateProductResponseSchema, { product: toProduct(product) }));
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
      return store.transact(InventoryService.method.adjustStock, req, async (tx) =>
        found(await store.adjustStock(tx, req.sku, req.delta, req.reason), `product ${req.sku}`, (row) =>
          create(AdjustStockResponseSchema, { product: toProduct(row) }),
        ),
      );
    },

    async reserveStock(req) {
      return store.transact(InventoryService.method.reserveStock, req, async (tx) =>
        found(await store.reserve(tx, req.orderId, req.lines), `reservation for order ${req.orderId}`, (row) =>
          create(ReserveStockResponseSchema, { reservation: toReservation(row) }),
        ),
      );
    },

    async commitReservation(req) {
      return store.transact(InventoryService.method.commitReservation, req, async (tx) =>
        found(await store.commit(tx, req.orderId), `reservation for order ${req.orderId}`, (row) =>
          create(CommitReservationResponseSchema, { reservation: toReservation(row) }),
        ),
      );
    },

    async releaseReservation(req) {
      return store.transact(InventoryService.method.releaseReservation, req, async (tx) =>
        found(await store.release(tx, req.orderId), `reservation for order ${req.orderId}`, (row) =>
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
