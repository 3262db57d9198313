/**
 * Imports orders with their items from a CSV file (format and transaction
 * choices: index.ts and the files it names).
 *   npm run import:orders -- <file.csv> [--chunk 1000] [--database-url postgres://...]
 *   npx tsx apps/order-service/src/importer/cli.ts <file.csv> ...
 * Progress goes to stderr (a bar redrawn in place on a terminal, a line every
 * few seconds and one at the end otherwise), the summary to stdout.
 * Exit code: 0 everything imported, 1 something rejected (or the header is
 * wrong, and nothing was written), 2 bad usage.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { env, loadConfig } from '@oms/platform';
import pg from 'pg';
import { BadHeaderError, formatSummary, importOrders, type ImportProgress } from './index';

const usage = 'usage: npm run import:orders -- <file.csv> [--chunk <orders per chunk, default 1000>] [--database-url <url, default $DATABASE_URL>]';

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function readArgs() {
  try {
    return parseArgs({ options: { chunk: { type: 'string' }, 'database-url': { type: 'string' } }, allowPositionals: true });
  } catch (error) {
    return fail(`${(error as Error).message}\n${usage}`, 2);
  }
}

const args = readArgs();
const [file, ...extra] = args.positionals;
const chunkOrders = Number(args.values.chunk ?? 1000);
if (!file || extra.length > 0 || !Number.isInteger(chunkOrders) || chunkOrders < 1) fail(usage, 2);

const { DATABASE_URL } = loadConfig(
  { DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/oms_order') },
  { DATABASE_URL: args.values['database-url'] ?? process.env.DATABASE_URL },
);
const size = (await stat(file).catch((error: Error) => fail(error.message, 2))).size;
const input = createReadStream(file);

const barWidth = 30;
const lineEveryMs = 2_000;
let last: ImportProgress | undefined;
let nextLineAtMs = 0;

function progressLine(p: ImportProgress): string {
  const fraction = size > 0 ? Math.min(input.bytesRead / size, 1) : 1;
  const filled = Math.round(fraction * barWidth);
  const rate = Math.round(p.linesRead / Math.max(p.elapsedMs / 1000, 0.001));
  return `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}] ${Math.floor(fraction * 100)}%  ${p.ordersImported} orders imported, ${p.linesRead} lines read, ${rate} rows/s`;
}

function showProgress(p: ImportProgress) {
  last = p;
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[K${progressLine(p)}`);
  else if (p.elapsedMs >= nextLineAtMs) {
    process.stderr.write(`${progressLine(p)}\n`);
    nextLineAtMs = p.elapsedMs + lineEveryMs;
  }
}

/** The final state, whatever was printed before it. */
function finishProgress() {
  if (last) process.stderr.write(process.stderr.isTTY ? '\n' : `${progressLine(last)}\n`);
}

const client = new pg.Client({ connectionString: DATABASE_URL });
await client.connect();
try {
  const result = await importOrders(client, input, { chunkOrders, onProgress: showProgress });
  finishProgress();
  process.stdout.write(`${formatSummary(result)}\n`);
  process.exitCode = result.ordersRejected > 0 ? 1 : 0;
} catch (error) {
  if (!(error instanceof BadHeaderError)) throw error;
  process.stderr.write(`refused, nothing imported: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  await client.end();
}
