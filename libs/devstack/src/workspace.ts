import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository's root folder. */
export const workspaceRoot = path.resolve(fileURLToPath(import.meta.url), '../../../..');

/** The Prisma-backed services, their databases and default ports (see README). */
export const services = [
  { app: 'order-service', database: 'oms_order', port: 50051, metricsPort: 9451 },
  { app: 'payment-service', database: 'oms_payment', port: 50052, metricsPort: 9452 },
  { app: 'inventory-service', database: 'oms_inventory', port: 50053, metricsPort: 9453 },
  { app: 'shipping-service', database: 'oms_shipping', port: 50054, metricsPort: 9454 },
] as const;

export type ServiceName = (typeof services)[number]['app'];

export const appDir = (app: string): string => path.join(workspaceRoot, 'apps', app);
