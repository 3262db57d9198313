/**
 * The Go programs of deploy/checks (helm, kube-strict, compose-config ...),
 * which check the deployment material in `npm test`: one Go module pins them
 * all; `go install tool ./cmd/...` builds them into .tools/bin. Go's build
 * cache makes a rebuild with nothing changed take seconds, so the set-up
 * always runs it and a changed pin or command is picked up.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { onPath, run, toolsBinDir, withProgress } from './go-tools';
import { workspaceRoot } from './workspace';

const moduleDir = path.join(workspaceRoot, 'deploy', 'checks');

export async function ensureDeployChecks(log: (line: string) => void): Promise<void> {
  if (!onPath('go')) {
    throw new Error(
      'the deployment checks (helm, kube-strict) are built from deploy/checks with Go, which is not installed: install Go 1.26+ (see deploy/checks/go.mod)',
    );
  }
  log('building the deployment checks (deploy/checks: helm, kube-strict, ...) into .tools/bin (minutes the first time, then seconds)...');
  await withProgress(log, 'building the deployment checks', () => run('go', ['install', 'tool', './cmd/...'], moduleDir, { GOBIN: toolsBinDir }));
}

/** The path of one of deploy/checks' programs in .tools/bin, or undefined when the set-up has not built it. */
export function findDeployCheck(name: string): string | undefined {
  const file = path.join(toolsBinDir, name);
  return existsSync(file) ? file : undefined;
}
