/** A stand-in for inventory-service: products in memory, served over real gRPC (CreateOrder prices its lines with them). */
import { InventoryService } from '@oms/contracts/inventory/v1';
import { createLogger, startRpcServer, type RpcServer } from '@oms/platform';

export interface FakeInventory {
  server: RpcServer;
  products: Map<string, { sku: string; name: string; unitPrice: { amountMinor: bigint; currency: string } }>;
  /** How many ListProducts calls it answered. */
  listProductsCalls(): number;
  /** A new product at this price; returns its sku. */
  stock(amountMinor: bigint, currency?: string): string;
}

export async function startFakeInventory(): Promise<FakeInventory> {
  const products: FakeInventory['products'] = new Map();
  let calls = 0;
  let skus = 0;
  const server = await startRpcServer({
    app: 'fake-inventory',
    config: { HOST: '127.0.0.1', PORT: 0, METRICS_PORT: 0, SHUTDOWN_GRACE_MS: 1000 },
    logger: createLogger('fake-inventory', 'silent'),
    services: [InventoryService],
    routes: (router) =>
      router.service(InventoryService, {
        listProducts({ skus, pageSize }) {
          calls++;
          return { products: skus.flatMap((sku) => products.get(sku) ?? []).slice(0, pageSize || 50) };
        },
        getProduct({ sku }) {
          return { product: products.get(sku) };
        },
      }),
  });
  return {
    server,
    products,
    listProductsCalls: () => calls,
    stock(amountMinor, currency = 'USD') {
      const sku = `SKU-${++skus}`;
      products.set(sku, { sku, name: `Product ${sku}`, unitPrice: { amountMinor, currency } });
      return sku;
    },
  };
}
