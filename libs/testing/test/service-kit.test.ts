/**
 * The service kit every Prisma-backed service starts with (startPrismaService):
 * the app's own settings, the migration check, a readiness check that asks the
 * database, and a shutdown that closes the app's parts before the databases.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ServiceImpl } from '@connectrpc/connect';
import { Health, HealthCheckResponse_ServingStatus as Status } from '@oms/contracts/health/v1';
import { InventoryService } from '@oms/contracts/inventory/v1';
import { startPrismaService, withClient, withDatabase, type ServiceParts } from '@oms/db';
import { dropDatabase, ensureDatabase } from '@oms/db/migrations';
import { appDir, postgresServerUrl } from '@oms/devstack';
import { env, serviceClient, serviceConfigShape } from '@oms/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneTemplate, testServiceEnv, type TestDatabase } from '../src';

/** Stands for an app's generated PrismaClient: raw SQL over pg, and a log of its disconnect. */
class FakeClient {
  down = false;
  constructor(
    private readonly url: string,
    private readonly log: string[],
  ) {}
  async $queryRawUnsafe<T>(sql: string): Promise<T> {
    if (this.down) throw new Error('the database went away');
    return withClient(this.url, async (client) => (await client.query(sql)).rows as T);
  }
  async $executeRawUnsafe(sql: string): Promise<number> {
    return withClient(this.url, async (client) => (await client.query(sql)).rowCount ?? 0);
  }
  async $disconnect(): Promise<void> {
    this.log.push('disconnect');
  }
}

const prismaDir = pathToFileURL(path.join(appDir('inventory-service'), 'prisma'));

/** A kit service over the inventory database, with one setting of its own. */
function definition(url: string, log: string[], seen: { greeting?: number; db?: FakeClient } = {}) {
  return {
    app: 'kit-test',
    service: InventoryService,
    config: { ...serviceConfigShape({ port: 0, metricsPort: 0, database: 'oms_inventory' }), KIT_GREETING: env.count(1) },
    prismaDir,
    client: () => new FakeClient(url, log),
    handlers: ({ config, db, connect, onClose }: ServiceParts<{ KIT_GREETING: number }, FakeClient>) => {
      seen.greeting = config.KIT_GREETING;
      seen.db = db;
      connect();
      onClose(async () => {
        log.push('app closed');
      });
      return {} as ServiceImpl<typeof InventoryService>;
    },
  };
}

let db: TestDatabase;
beforeAll(async () => {
  db = await cloneTemplate('oms_inventory');
});
afterAll(() => db?.drop());

describe('startPrismaService', () => {
  it('hands the app its settings, is ready while the database answers, and closes the app before the databases', async () => {
    const log: string[] = [];
    const seen: { greeting?: number; db?: FakeClient } = {};
    const server = await startPrismaService(definition(db.url, log, seen), { ...testServiceEnv(db.url), KIT_GREETING: '7' });
    try {
      expect(seen.greeting).toBe(7);
      const health = serviceClient(Health, server.url);
      for (const service of ['', InventoryService.typeName]) expect((await health.check({ service })).status).toBe(Status.SERVING);
      expect(await server.registry.metrics()).toContain('app="kit-test"');
      seen.db!.down = true;
      expect((await health.check({ service: '' })).status).toBe(Status.NOT_SERVING);
    } finally {
      await server.close();
    }
    // Both clients (the service's and the one made with connect()) disconnect after the app's closers.
    expect(log).toEqual(['app closed', 'disconnect', 'disconnect']);
  });

  it('names the setting that is wrong', async () => {
    const log: string[] = [];
    await expect(startPrismaService(definition(db.url, log), { ...testServiceEnv(db.url), KIT_GREETING: '0' })).rejects.toThrow('KIT_GREETING');
    expect(log).toEqual([]);
  });

  it('refuses a database that lacks the migrations, before it connects', async () => {
    const url = withDatabase(postgresServerUrl(), `kit_empty_${process.pid}`);
    await ensureDatabase(url);
    try {
      const log: string[] = [];
      await expect(startPrismaService(definition(url, log), testServiceEnv(url))).rejects.toThrow(`database kit_empty_${process.pid} is missing migrations`);
      expect(log).toEqual([]);
    } finally {
      await dropDatabase(url);
    }
  });
});
