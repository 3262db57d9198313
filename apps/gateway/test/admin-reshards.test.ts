/**
 * The reshard routes, /v1/admin/reshards: admins only, the body's rules,
 * and start, progress, pause, resume and cancel against a real Temporal dev
 * server, where a worker runs a stand-in ReshardWorkflow with the real
 * contract (test/fixtures/reshard-workflow.ts).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { reshardWorkflowId } from '@oms/contracts/workflows';
import { mintToken } from '@oms/platform/tokens';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jwtSecret, startStandIn, type StandIn } from './stand-in';

const taskQueue = `reshards-${randomUUID()}`;

let standIn: StandIn;
let env: TestWorkflowEnvironment;
let adminToken: string;
let customerToken: string;

beforeAll(async () => {
  standIn = await startStandIn('reshard-workflow.ts', { taskQueue });
  ({ env } = standIn);
  adminToken = await mintToken(jwtSecret, { sub: '1', roles: ['admin'] });
  customerToken = await mintToken(jwtSecret, { sub: '7' });
});

afterAll(() => standIn?.stop());

const call = (method: 'GET' | 'POST', url: string, { token = adminToken, body }: { token?: string; body?: unknown } = {}) =>
  standIn.call(method, url, { token, body });

async function startMove(body: unknown = { targetShard: 2, buckets: [0, 1, 40] }): Promise<string> {
  const res = await call('POST', '/v1/admin/reshards', { body });
  expect(res.status).toBe(202);
  return res.body.moveId;
}

/** Polls the move's progress until `done` holds (signals are heard by the workflow soon after the 202). */
async function progressUntil(moveId: string, done: (progress: Record<string, unknown>) => boolean) {
  for (;;) {
    const { status, body } = await call('GET', `/v1/admin/reshards/${moveId}`);
    expect(status).toBe(200);
    if (done(body)) return body;
    await sleep(20);
  }
}

describe('who may move buckets', () => {
  it.each([
    ['POST', '/v1/admin/reshards'],
    ['GET', '/v1/admin/reshards/abc'],
    ['POST', '/v1/admin/reshards/abc/pause'],
    ['POST', '/v1/admin/reshards/abc/resume'],
    ['POST', '/v1/admin/reshards/abc/cancel'],
  ] as const)('%s %s: 401 without a token, 403 for a customer', async (method, url) => {
    const body = method === 'POST' ? { targetShard: 1, buckets: [1] } : undefined;
    expect(await call(method, url, { token: '', body })).toMatchObject({ status: 401, body: { type: 'urn:oms:problem:unauthorized' } });
    expect(await call(method, url, { token: customerToken, body })).toMatchObject({ status: 403, body: { type: 'urn:oms:problem:forbidden' } });
  });
});

describe('POST /v1/admin/reshards', () => {
  it('starts the move: 202 with a gid-safe move id and where to follow it', async () => {
    const res = await call('POST', '/v1/admin/reshards', { body: { targetShard: 2, buckets: [40, 0, 1] } });
    expect(res).toMatchObject({ status: 202, body: { moveId: expect.stringMatching(/^[A-Za-z0-9_-]{16}$/) } });
    const { moveId, progressUrl } = res.body;
    expect(progressUrl).toBe(`/v1/admin/reshards/${moveId}`);
    const { type, taskQueue: queue } = await env.client.workflow.getHandle(reshardWorkflowId(moveId)).describe();
    expect({ type, queue }).toEqual({ type: 'ReshardWorkflow', queue: taskQueue });
    expect((await call('GET', progressUrl)).body).toEqual({
      moveId,
      targetShard: 2,
      buckets: [40, 0, 1],
      moved: [],
      paused: false,
      rowsCopied: 0,
      fencesMs: [],
      state: 'running',
    });
    expect(await startMove()).not.toBe(moveId);
  });

  it.each([
    ['a negative shard', { targetShard: -1, buckets: [0] }, [{ field: '/targetShard', message: 'must be >= 0' }]],
    ['no buckets', { targetShard: 1, buckets: [] }, [{ field: '/buckets', message: 'must NOT have fewer than 1 items' }]],
    [
      'buckets out of range',
      { targetShard: 1, buckets: [1024, -1] },
      [
        { field: '/buckets/0', message: 'must be <= 1023' },
        { field: '/buckets/1', message: 'must be >= 0' },
      ],
    ],
    ['a bucket twice', { targetShard: 1, buckets: [3, 4, 3] }, [{ field: '/buckets', message: expect.stringMatching(/duplicate/) }]],
    ['not integers', { targetShard: 1.5, buckets: ['7'] }, [{ field: '/targetShard' }, { field: '/buckets/0' }]],
    ['a move id of its own', { targetShard: 1, buckets: [1], moveId: 'mine' }, [{ field: '/moveId', message: 'is not allowed' }]],
    [
      'no shard, more than 1,024 buckets',
      { buckets: Array.from({ length: 1025 }, (_, i) => i % 1024) },
      [
        { field: '/targetShard', message: 'is required' },
        { field: '/buckets', message: 'must NOT have more than 1024 items' },
        { field: '/buckets', message: expect.stringMatching(/duplicate/) },
      ],
    ],
  ])('%s: 400 naming each bad field', async (_case, body, errors) => {
    const res = await call('POST', '/v1/admin/reshards', { body });
    expect(res).toMatchObject({ status: 400, contentType: expect.stringContaining('application/problem+json'), body: { type: 'urn:oms:problem:validation' } });
    expect(res.body.errors).toMatchObject(errors);
  });
});

describe('following and steering a move', () => {
  it('pause, resume, then cancel: each 202, each heard by the workflow; once it has ended, 409', async () => {
    const moveId = await startMove();
    const base = `/v1/admin/reshards/${moveId}`;
    expect(await call('POST', `${base}/pause`)).toEqual({ status: 202, contentType: expect.any(String), body: { accepted: true } });
    expect(await progressUntil(moveId, (p) => p.paused === true)).toMatchObject({ state: 'paused' });
    expect((await call('POST', `${base}/resume`)).status).toBe(202);
    expect(await progressUntil(moveId, (p) => p.paused === false)).toMatchObject({ state: 'running' });
    expect((await call('POST', `${base}/cancel`)).status).toBe(202);
    expect(await progressUntil(moveId, (p) => p.state === 'cancelled')).toMatchObject({ moved: [] });
    expect((await env.client.workflow.getHandle(reshardWorkflowId(moveId)).describe()).status.name).toBe('CANCELLED');
    for (const action of ['pause', 'resume', 'cancel']) {
      expect(await call('POST', `${base}/${action}`)).toMatchObject({
        status: 409,
        body: { type: 'urn:oms:problem:conflict', detail: `reshard ${moveId} has ended: cancelled` },
      });
    }
  });

  it('a move that does not exist: 404', async () => {
    for (const [method, url] of [
      ['GET', '/v1/admin/reshards/no-such-move'],
      ['POST', '/v1/admin/reshards/no-such-move/pause'],
      ['POST', '/v1/admin/reshards/no-such-move/cancel'],
    ] as const) {
      expect(await call(method, url)).toMatchObject({ status: 404, body: { type: 'urn:oms:problem:not-found', detail: 'no reshard no-such-move' } });
    }
  });

  it('a move id that is not one: 400', async () => {
    expect(await call('GET', '/v1/admin/reshards/not.a.move')).toMatchObject({ status: 400, body: { errors: [{ field: 'moveId' }] } });
  });
});

describe('the OpenAPI document', () => {
  it('describes the reshard routes and their bodies', async () => {
    const spec = (await call('GET', '/docs/json')).body;
    const start = spec.paths['/v1/admin/reshards'].post;
    expect(start.requestBody.content['application/json'].schema.properties.buckets).toMatchObject({
      minItems: 1,
      maxItems: 1024,
      uniqueItems: true,
      items: { type: 'integer', minimum: 0, maximum: 1023 },
    });
    expect(Object.keys(start.responses)).toContain('202');
    expect(spec.paths['/v1/admin/reshards/{moveId}'].get.responses['200'].content['application/json'].schema.properties).toHaveProperty('fencesMs');
    for (const action of ['pause', 'resume', 'cancel']) expect(spec.paths[`/v1/admin/reshards/{moveId}/${action}`].post.responses).toHaveProperty('202');
  });
});
