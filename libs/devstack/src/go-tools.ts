/**
 * Programs neither npm nor Debian ship here (the Temporal CLI, Jaeger), built
 * once from Go modules into .tools/bin, pinned to a release. One already on
 * PATH, or named by its environment variable, is preferred.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { workspaceRoot } from './workspace';

export interface GoTool {
  /** The binary's name, e.g. "temporal". */
  name: string;
  /** What people call it in messages. */
  title: string;
  /** The Go package of the command, and its version. */
  pkg: string;
  version: string;
  /** The variable that may name a binary to use instead, e.g. TEMPORAL_CLI. */
  envVar: string;
  /**
   * A module whose go.mod has replace directives cannot be `go install`ed by
   * version; it is built as a tool of a throwaway module instead.
   */
  viaToolModule?: boolean;
}

const binDir = path.join(workspaceRoot, '.tools', 'bin');

function onPath(command: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Where the program is, if it is installed. */
export function findGoTool(tool: GoTool): string | undefined {
  const candidates = [process.env[tool.envVar], path.join(binDir, tool.name)];
  return candidates.find((c): c is string => !!c && existsSync(c)) ?? onPath(tool.name);
}

function run(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, GOBIN: binDir }, stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (d: Buffer) => (errors += d));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${errors.slice(-4000)}`))));
  });
}

async function build(tool: GoTool): Promise<void> {
  const target = `${tool.pkg}@${tool.version}`;
  if (!tool.viaToolModule) return run('go', ['install', target], workspaceRoot);
  const module = mkdtempSync(path.join(os.tmpdir(), `oms-${tool.name}-`));
  try {
    await run('go', ['mod', 'init', 'oms.local/tools'], module);
    await run('go', ['get', '-tool', target], module);
    await run('go', ['install', 'tool'], module);
  } finally {
    rmSync(module, { recursive: true, force: true });
  }
}

/** The program's path, building it first when it is missing (minutes, once). */
export async function ensureGoTool(tool: GoTool, log: (line: string) => void): Promise<string> {
  const found = findGoTool(tool);
  if (found) {
    log(`${tool.title}: ${path.relative(workspaceRoot, found) || found}`);
    return found;
  }
  if (!onPath('go')) {
    throw new Error(`${tool.title} is missing and Go is not installed to build it: install Go 1.24+ or put \`${tool.name}\` on PATH (or set ${tool.envVar})`);
  }
  log(`building ${tool.title} ${tool.version} with Go into .tools/bin (first time only; a few minutes)...`);
  const started = Date.now();
  const ticker = setInterval(() => log(`  still building ${tool.title} (${Math.round((Date.now() - started) / 1000)} s)`), 30_000);
  try {
    await build(tool);
  } catch (error) {
    throw new Error(`building ${tool.title} failed: ${(error as Error).message}`);
  } finally {
    clearInterval(ticker);
  }
  log(`built ${tool.title} in ${Math.round((Date.now() - started) / 1000)} s`);
  return path.join(binDir, tool.name);
}
