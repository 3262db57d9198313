/**
 * Programs neither npm nor Debian ship here (the Temporal CLI, Jaeger,
 * promtool). Looked for in this order: the binary its environment variable
 * names, one on PATH, the project's cache (.tools/bin), the vendor's release
 * archive (checksum verified, where the tool has one), and only then a build
 * from Go modules pinned to a release.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { workspaceRoot } from './workspace';

/** A release archive the vendor publishes, and the sha256 of each platform's archive (pinned here, not fetched beside it). */
export interface Release {
  /** The folder the archives are downloaded from. */
  baseUrl: string;
  /** An archive's file name for a platform such as `linux_amd64`. */
  archive: (platform: string) => string;
  sha256: Record<string, string>;
}

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
  /** Tried before a Go build: a download takes seconds, a build minutes. */
  release?: Release;
}

export const toolsBinDir = path.join(workspaceRoot, '.tools', 'bin');

export function onPath(command: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const existing = (file: string | undefined): string | undefined => (file && existsSync(file) ? file : undefined);

/** Where the program is, if it is installed. */
export function findGoTool(tool: GoTool, binDir = toolsBinDir): string | undefined {
  return existing(process.env[tool.envVar]) ?? onPath(tool.name) ?? existing(path.join(binDir, tool.name));
}

export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr.on('data', (d: Buffer) => (errors += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${errors.slice(-4000)}`))));
  });
}

async function build(tool: GoTool, binDir: string): Promise<void> {
  const target = `${tool.pkg}@${tool.version}`;
  if (!tool.viaToolModule) return run('go', ['install', target], workspaceRoot, { GOBIN: binDir });
  const module = mkdtempSync(path.join(os.tmpdir(), `oms-${tool.name}-`));
  try {
    await run('go', ['mod', 'init', 'oms.local/tools'], module);
    await run('go', ['get', '-tool', target], module);
    await run('go', ['install', 'tool'], module, { GOBIN: binDir });
  } finally {
    rmSync(module, { recursive: true, force: true });
  }
}

/** This machine as release archives name it, e.g. `linux_amd64`. */
export function releasePlatform(): string {
  const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch] ?? process.arch;
  return `${process.platform}_${arch}`;
}

/** Downloads the release archive, refuses it unless its sha256 is the pinned one, and unpacks the binary into binDir. */
export async function downloadRelease(tool: GoTool, release: Release, binDir: string): Promise<string> {
  const platform = releasePlatform();
  const expected = release.sha256[platform];
  if (!expected) throw new Error(`no release archive is pinned for ${platform}`);
  const url = `${release.baseUrl}/${release.archive(platform)}`;
  const response = await fetch(url, { signal: AbortSignal.timeout(10 * 60_000) }).catch((error: Error) => {
    // fetch says only "fetch failed"; the cause says why (e.g. getaddrinfo ENOTFOUND github.com).
    throw new Error(`${url}: ${(error.cause as Error | undefined)?.message ?? error.message}`);
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  const archive = Buffer.from(await response.arrayBuffer());
  const actual = createHash('sha256').update(archive).digest('hex');
  if (actual !== expected) throw new Error(`${url} has sha256 ${actual}, not the pinned ${expected}: refused`);
  const scratch = mkdtempSync(path.join(os.tmpdir(), `oms-${tool.name}-`));
  try {
    writeFileSync(path.join(scratch, 'archive.tar.gz'), archive);
    await run('tar', ['-xzf', 'archive.tar.gz', tool.name], scratch);
    mkdirSync(binDir, { recursive: true });
    chmodSync(path.join(scratch, tool.name), 0o755);
    renameSync(path.join(scratch, tool.name), path.join(binDir, tool.name));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return path.join(binDir, tool.name);
}

export async function withProgress<T>(log: (line: string) => void, doing: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const ticker = setInterval(() => log(`  still ${doing} (${Math.round((Date.now() - started) / 1000)} s)`), 30_000);
  try {
    const result = await work();
    log(`done ${doing} in ${Math.round((Date.now() - started) / 1000)} s`);
    return result;
  } finally {
    clearInterval(ticker);
  }
}

/** The program's path: found, else downloaded (seconds), else built with Go (minutes, once). */
export async function ensureGoTool(tool: GoTool, log: (line: string) => void, binDir = toolsBinDir): Promise<string> {
  const found = findGoTool(tool, binDir);
  if (found) {
    log(`${tool.title}: ${path.relative(workspaceRoot, found) || found}`);
    return found;
  }
  let downloadFailure = '';
  if (tool.release) {
    log(`downloading ${tool.title} ${tool.version} from ${tool.release.baseUrl} into ${path.relative(workspaceRoot, binDir)}...`);
    try {
      return await withProgress(log, `downloading ${tool.title}`, () => downloadRelease(tool, tool.release!, binDir));
    } catch (error) {
      downloadFailure = ` (the release download failed: ${(error as Error).message})`;
      log(`could not download ${tool.title}: ${(error as Error).message}; building it with Go instead`);
    }
  }
  if (!onPath('go')) {
    throw new Error(
      `${tool.title} is missing and Go is not installed to build it${downloadFailure}: install Go 1.24+ or put \`${tool.name}\` on PATH (or set ${tool.envVar})`,
    );
  }
  log(`building ${tool.title} ${tool.version} with Go into ${path.relative(workspaceRoot, binDir)} (first time only; a few minutes)...`);
  try {
    await withProgress(log, `building ${tool.title}`, () => build(tool, binDir));
  } catch (error) {
    throw new Error(`building ${tool.title} failed${downloadFailure}: ${(error as Error).message}`);
  }
  return path.join(binDir, tool.name);
}
