/**
 * Imports orders with their items from a CSV file (format and transaction
 * choices: index.ts and the files it names).
 *   npm run import:orders -- <file.csv> [--chunk 1000] [--database-url postgres://...]
 *   npx tsx apps/order-service/src/importer/cli.ts <file.csv> ...
 * The shards are order-service's: DATABASE_URL (shard 0, which holds the
 * bucket map) and ORDER_SHARD_URLS (shards 1, 2, ...).
 * Progress goes to stderr (a bar redrawn in place on a terminal, a line every
 * few seconds and one at the end otherwise), the summary to stdout.
 * Exit code: 0 everything imported, 1 something rejected, a shard's COMMIT
 * failed (the summary says which shards committed), or nothing was written
 * (a wrong header, no bucket map), 2 bad usage.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { env, loadConfig } from '@oms/platform';
import pg from 'pg';
import { shardName } from '../shards/open';
import { BadHeaderError, formatSummary, importOrders, type ImportProgress, type ImportShard } from './index';
import { loadImportMap } from './map';

const usage =
  'usage: npm run import:orders -- <file.csv> [--chunk <orders per chunk, default 1000>] [--database-url <shard 0, default $DATABASE_URL>] (shards 1, 2, ...: $ORDER_SHARD_URLS)';

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

const { DATABASE_URL, ORDER_SHARD_URLS } = loadConfig(
  { DATABASE_URL: env.url('postgres://postgres@127.0.0.1:5432/oms_order'), ORDER_SHARD_URLS: env.urlList() },
  { DATABASE_URL: args.values['database-url'] ?? process.env.DATABASE_URL, ORDER_SHARD_URLS: process.env.ORDER_SHARD_URLS },
);
const urls = [DATABASE_URL, ...ORDER_SHARD_URLS];
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

const map = await loadImportMap(urls).catch((error: Error) => fail(`refused, nothing imported: ${error.message}`, 1));
const shards: ImportShard[] = [];
try {
  for (const [id, url] of urls.entries()) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    shards.push({ id, name: shardName(url), client });
  }
  const result = await importOrders(shards, map, input, { chunkOrders, onProgress: showProgress });
  finishProgress();
  process.stdout.write(`${formatSummary(result)}\n`);
  process.exitCode = result.ordersRejected > 0 || result.commitFailure ? 1 : 0;
} catch (error) {
  if (!(error instanceof BadHeaderError)) throw error;
  process.stderr.write(`refused, nothing imported: ${error.message}\n`);
  process.exitCode = 1;
} finally {
  await Promise.all(shards.map(({ client }) => client.end()));
}
