/**
 * The models libs/db owns (libs/db/prisma/*.prisma, e.g. IdempotencyKey) reach
 * every service's schema folder through its prisma.config.ts, current each time.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { servicePrismaConfig } from '@oms/db/prisma-config';
import { workspaceRoot } from '@oms/devstack';
import { expect, it } from 'vitest';

it('copies the shared models beside schema.prisma, replacing a stale copy', async ({ onTestFinished }) => {
  const serviceDir = await mkdtemp(path.join(tmpdir(), 'oms-shared-models-'));
  onTestFinished(() => rm(serviceDir, { recursive: true }));
  await mkdir(path.join(serviceDir, 'prisma'));
  const owned = await readFile(path.join(workspaceRoot, 'libs/db/prisma/idempotency-key.prisma'), 'utf8');
  const copy = path.join(serviceDir, 'prisma', 'idempotency-key.prisma');

  expect(servicePrismaConfig(serviceDir, 'oms_test').schema).toBe(path.join(serviceDir, 'prisma'));
  expect(await readFile(copy, 'utf8')).toBe(owned);

  await writeFile(copy, 'model Stale {\n  id Int @id\n}\n');
  servicePrismaConfig(serviceDir, 'oms_test');
  expect(await readFile(copy, 'utf8')).toBe(owned);
});
