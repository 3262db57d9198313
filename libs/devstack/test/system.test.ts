import path from 'node:path';
import { withClient, withDatabase } from '@oms/db';
import { ensureDatabase } from '@oms/db/migrations';
import { describe, expect, it } from 'vitest';
import {
  appDatabases,
  checkInstanceName,
  instanceDatabase,
  instanceDirs,
  outputTail,
  postgresServerUrl,
  removeInstance,
  services,
  shardDatabases,
  shardUrlsEnv,
  workspaceRoot,
} from '../src';

describe('copies of the system', () => {
  it('accepts instance names that need no quoting in a database name', () => {
    expect(checkInstanceName('bench_1')).toBe('bench_1');
  });

  it('refuses names that would quote badly or collide with templates and test copies', () => {
    for (const name of ['', 'Bench', 'a-b', '_x', 'x'.repeat(41), 'test1', 'template_x']) expect(() => checkInstanceName(name)).toThrow(/instance name/);
  });

  it('gives the default copy the developer databases and folders, an instance its own', () => {
    expect(instanceDatabase('oms_order')).toBe('oms_order');
    expect(instanceDatabase('oms_order', 'bench')).toBe('oms_order_bench');
    expect(instanceDirs()).toEqual({ data: path.join(workspaceRoot, '.data'), logs: path.join(workspaceRoot, '.logs') });
    expect(instanceDirs('bench')).toEqual({ data: path.join(workspaceRoot, '.data', 'bench'), logs: path.join(workspaceRoot, '.logs', 'bench') });
  });
});

describe('order shards', () => {
  it('gives order-service a second shard, oms_order_shard1, and the other services none', () => {
    expect(services.map((s) => [s.app, shardDatabases(s)])).toEqual([
      ['order-service', ['oms_order_shard1']],
      ['payment-service', []],
      ['inventory-service', []],
      ['shipping-service', []],
    ]);
  });

  it('hands an app its shards after shard 0 in one variable, or none', () => {
    expect(shardUrlsEnv('order-service', ['postgres://a/s1', 'postgres://b/s2'])).toEqual({ ORDER_SHARD_URLS: 'postgres://a/s1,postgres://b/s2' });
    expect(shardUrlsEnv('payment-service', [])).toEqual({});
  });

  it("lists an app's databases in a copy, shard 0 first", () => {
    const state = {
      databases: { 'order-service': 'postgres://h/oms_order', 'payment-service': 'postgres://h/oms_payment' },
      shards: { 'order-service': ['postgres://h/oms_order_shard1'] },
    };
    expect(appDatabases(state, 'order-service')).toEqual(['postgres://h/oms_order', 'postgres://h/oms_order_shard1']);
    expect(appDatabases(state, 'payment-service')).toEqual(['postgres://h/oms_payment']);
  });

  it("removeInstance drops every shard's database of the instance", async () => {
    const instance = `devstack_${process.pid}`;
    const names = services.flatMap((s) => [s.database, ...shardDatabases(s)]).map((d) => instanceDatabase(d, instance));
    for (const name of names) await ensureDatabase(withDatabase(postgresServerUrl(), name));
    await removeInstance(instance);
    const { rows } = await withClient(postgresServerUrl(), (c) => c.query('SELECT datname FROM pg_database WHERE datname = ANY($1)', [names]));
    expect(rows).toEqual([]);
  }, 60_000); // creating five databases takes seconds on a busy machine
});

describe('outputTail', () => {
  it('keeps the last `limit` characters of what was appended', () => {
    const tail = outputTail(4);
    for (const chunk of ['ab', 'cdef', 'g', Buffer.from('hij')]) tail.append(chunk);
    expect(tail.text()).toBe('ghij');
  });
});
