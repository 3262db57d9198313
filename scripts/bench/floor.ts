/** The floor's worker, in the benchmark's own process, on a task queue of its own. */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { NativeConnection, Runtime, Worker } from '@temporalio/worker';

export const floorActivities = { noop: async (): Promise<void> => undefined };

export interface FloorWorker {
  taskQueue: string;
  stop(): Promise<void>;
}

export async function startFloorWorker(address: string): Promise<FloorWorker> {
  // The SDK would log every worker event to the console, inside the measurement.
  Runtime.install({ logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error } });
  const connection = await NativeConnection.connect({ address });
  const taskQueue = `bench-floor-${randomUUID()}`;
  const worker = await Worker.create({
    connection,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./floor-workflows.ts', import.meta.url)),
    activities: floorActivities,
  });
  const running = worker.run();
  return {
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
