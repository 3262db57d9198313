/**
 * Jaeger, the trace viewer `npm start -- --observe` runs: its all-in-one v2
 * binary (built from Go modules, once) with in-memory storage, taking OTLP on
 * its standard ports and serving its UI.
 */
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureGoTool, type GoTool } from './go-tools';

const jaeger: GoTool = {
  name: 'jaeger',
  title: 'Jaeger',
  pkg: 'github.com/jaegertracing/jaeger/cmd/jaeger',
  version: 'v1.76.0',
  envVar: 'JAEGER_BIN',
  viaToolModule: true,
};

export interface TraceViewer {
  uiUrl: string;
  /** What OTEL_EXPORTER_OTLP_ENDPOINT points every app at (OTLP over HTTP). */
  otlpEndpoint: string;
  pid: number;
  stop(): Promise<void>;
}

// Jaeger's defaults: OTLP/HTTP on 4318, the UI on 16686.
const uiUrl = 'http://127.0.0.1:16686';
const otlpEndpoint = 'http://127.0.0.1:4318';

const answers = (url: string) =>
  fetch(url).then(
    (r) => r.ok,
    () => false,
  );

export async function startTraceViewer(options: { log: (line: string) => void; logFile: string }): Promise<TraceViewer> {
  if (await answers(uiUrl))
    throw new Error(`something already answers at ${uiUrl}: stop it, or run without --observe and point OTEL_EXPORTER_OTLP_ENDPOINT at it`);
  const binary = await ensureGoTool(jaeger, options.log);
  const out = openSync(options.logFile, 'a');
  const child = spawn(binary, [], { stdio: ['ignore', out, out] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let waited = 0; !(await answers(uiUrl)); waited += 200) {
    if (child.exitCode !== null || waited > 30_000) {
      child.kill('SIGKILL');
      throw new Error(`Jaeger did not start (see ${options.logFile})`);
    }
    await sleep(200);
  }
  return {
    uiUrl,
    otlpEndpoint,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
