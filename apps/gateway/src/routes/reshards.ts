/**
 * Moving buckets of customers between order shards (token with role
 * "admin"): start a ReshardWorkflow, follow it, pause, resume or cancel it.
 * The workflow does the moving (apps/orchestrator); these only talk to Temporal.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { newMoveId, pauseReshardSignal, progressQuery, reshardWorkflowId, resumeReshardSignal, type ReshardInput } from '@oms/contracts/workflows';
import { WorkflowNotFoundError, type SignalDefinition } from '@temporalio/client';
import { requireAdmin } from '../auth';
import type { GatewayDeps } from '../deps';
import { conflict, notFound } from '../problems';
import { Accepted, bearer, MoveIdParams, problemResponses, ReshardAccepted, ReshardBody, ReshardProgress } from '../schemas';

const tags = ['admin'];

export const reshardRoutes: FastifyPluginAsyncTypebox<{ deps: GatewayDeps }> = async (app, { deps }) => {
  const { temporal, taskQueue } = deps;
  app.addHook('preValidation', requireAdmin);

  const unknownMove = (moveId: string) => (error: unknown) => {
    throw error instanceof WorkflowNotFoundError ? notFound(`no reshard ${moveId}`) : error;
  };

  /** The move's workflow, if it is still running: 404 when there is none, 409 once it has ended. */
  async function runningMove(moveId: string) {
    const handle = temporal.workflow.getHandle(reshardWorkflowId(moveId));
    const { status } = await handle.describe().catch(unknownMove(moveId));
    if (status.name !== 'RUNNING') throw conflict(`reshard ${moveId} has ended: ${status.name.toLowerCase()}`);
    return handle;
  }

  /** Signals or cancels a running move; it may end in between, which is a 409 too. */
  const ended = (moveId: string) => (error: unknown) => {
    throw error instanceof WorkflowNotFoundError ? conflict(`reshard ${moveId} has ended`) : error;
  };

  app.post(
    '/v1/admin/reshards',
    {
      schema: {
        tags,
        summary: 'Move buckets of customers to another order shard, online',
        description:
          'Starts a ReshardWorkflow that moves the buckets one at a time (prepare, copy, catch up, cut over with a two-phase commit); ' +
          'follow it at progressUrl. A shard that is down holds the move until it is back.',
        security: bearer,
        body: ReshardBody,
        response: { 202: ReshardAccepted, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request, reply) => {
      const moveId = newMoveId();
      const input: ReshardInput = { moveId, ...request.body };
      await temporal.workflow.start('ReshardWorkflow', { taskQueue, workflowId: reshardWorkflowId(moveId), args: [input] });
      return reply.code(202).send({ moveId, progressUrl: `/v1/admin/reshards/${moveId}` });
    },
  );

  app.get(
    '/v1/admin/reshards/:moveId',
    {
      schema: {
        tags,
        summary: 'Where a move is: buckets moved, the bucket and step under way, rows copied, each cut-over’s fence',
        security: bearer,
        params: MoveIdParams,
        response: { 200: ReshardProgress, ...problemResponses(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const { moveId } = request.params;
      return temporal.workflow.getHandle(reshardWorkflowId(moveId)).query(progressQuery).catch(unknownMove(moveId));
    },
  );

  const control = {
    pause: { summary: 'Pause a move: it holds before its next step', act: (moveId: string) => signal(moveId, pauseReshardSignal) },
    resume: { summary: 'Resume a paused move', act: (moveId: string) => signal(moveId, resumeReshardSignal) },
    cancel: {
      summary: 'Cancel a move: the bucket under way stays where it was (its copy is deleted); buckets moved already stay moved',
      act: async (moveId: string) => (await runningMove(moveId)).cancel().catch(ended(moveId)),
    },
  };
  async function signal(moveId: string, which: SignalDefinition) {
    await (await runningMove(moveId)).signal(which).catch(ended(moveId));
  }

  for (const [action, { summary, act }] of Object.entries(control)) {
    app.post(
      `/v1/admin/reshards/:moveId/${action}`,
      {
        schema: {
          tags,
          summary,
          description: 'Accepted: the move hears it between steps; GET the move to see it take effect.',
          security: bearer,
          params: MoveIdParams,
          response: { 202: Accepted, ...problemResponses(400, 401, 403, 404, 409, 503) },
        },
      },
      async (request, reply) => {
        await act(request.params.moveId);
        return reply.code(202).send({ accepted: true });
      },
    );
  }
};
