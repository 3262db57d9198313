/**
 * The Temporal CLI (which embeds the dev server). Neither npm nor Debian ship
 * it and the SDK cannot download it here, so it is built from Go modules
 * into .tools/bin, pinned to a release whose go.mod `go install` accepts.
 * A `temporal` already on PATH (or in TEMPORAL_CLI) is preferred.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { workspaceRoot } from './workspace';

const version = 'v1.5.1';
const localBinary = path.join(workspaceRoot, '.tools', 'bin', 'temporal');

function onPath(command: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Where the Temporal CLI is, if it is installed. */
export function findTemporalCli(): string | undefined {
  const candidates = [process.env.TEMPORAL_CLI, localBinary];
  return candidates.find((c): c is string => !!c && existsSync(c)) ?? onPath('temporal');
}

export async function ensureTemporalCli(log: (line: string) => void): Promise<string> {
  const found = findTemporalCli();
  if (found) {
    log(`Temporal CLI: ${path.relative(workspaceRoot, found) || found}`);
    return found;
  }
  if (!onPath('go')) {
    throw new Error('the Temporal CLI is missing and Go is not installed to build it: install Go 1.24+ or put `temporal` on PATH (or set TEMPORAL_CLI)');
  }
  log(`building the Temporal CLI ${version} with Go into .tools/bin (first time only; a few minutes)...`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('go', ['install', `github.com/temporalio/cli/cmd/temporal@${version}`], {
      env: { ...process.env, GOBIN: path.dirname(localBinary) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let errors = '';
    child.stderr.on('data', (d: Buffer) => (errors += d));
    const ticker = setInterval(() => log(`  still building the Temporal CLI (${Math.round((Date.now() - started) / 1000)} s)`), 30_000);
    child.on('close', (code) => {
      clearInterval(ticker);
      if (code === 0) resolve();
      else reject(new Error(`go install of the Temporal CLI failed (exit ${code}):\n${errors.slice(-4000)}`));
    });
  });
  log(`built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)} s`);
  return localBinary;
}
