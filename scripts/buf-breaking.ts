/**
 * `buf breaking` for proto/, run by libs/contracts' lint: the contract must
 * not break clients and servers built from main. It compares the working tree
 * with the proto/ of
 * - the point where this branch left main (merge-base with origin/main, or
 *   with main when there is no remote), so that only this branch's changes
 *   are judged, not commits main gained since;
 * - the commit before HEAD when HEAD is on main itself (CI on main, or a
 *   clone of it): the last landed commit is then what is judged.
 * With no such commit (a clone with one commit, a shallow clone, no git),
 * there is nothing to compare with: it says so and passes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

function git(...args: string[]): string | undefined {
  const result = spawnSync('git', args, { cwd: root, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** The commit to compare with and why, or undefined when there is none. */
function baseline(): { commit: string; what: string } | undefined {
  const head = git('rev-parse', '--verify', '-q', 'HEAD');
  if (!head) return undefined;
  const main = ['origin/main', 'main'].find((ref) => git('rev-parse', '--verify', '-q', `${ref}^{commit}`));
  const forkPoint = main && git('merge-base', 'HEAD', main);
  if (forkPoint && forkPoint !== head) return { commit: forkPoint, what: `where HEAD left ${main}` };
  const previous = git('rev-parse', '--verify', '-q', 'HEAD~1^{commit}');
  return previous ? { commit: previous, what: 'the commit before HEAD' } : undefined;
}

const base = baseline();
if (!base) {
  console.log('buf breaking: skipped, no earlier commit to compare proto/ with (one commit, shallow clone, or no git)');
  process.exit(0);
}
const short = base.commit.slice(0, 10);
const against = mkdtempSync(path.join(tmpdir(), 'oms-buf-breaking-'));
try {
  const archive = spawnSync('git', ['archive', base.commit, 'proto'], { cwd: root, maxBuffer: 256 * 1024 * 1024 });
  if (archive.status !== 0) {
    console.log(`buf breaking: skipped, ${short} (${base.what}) has no proto/`);
  } else {
    execFileSync('tar', ['-x', '-C', against], { input: archive.stdout });
    // proto/vendor is gitignored (fetched by scripts/proto-deps.ts): the old tree needs it to compile.
    const vendor = path.join(root, 'proto', 'vendor');
    if (existsSync(vendor)) cpSync(vendor, path.join(against, 'proto', 'vendor'), { recursive: true });
    console.log(`buf breaking: proto/ against ${short} (${base.what})`);
    const buf = path.join(root, 'node_modules', '.bin', 'buf');
    const result = spawnSync(buf, ['breaking', 'proto', '--against', path.join(against, 'proto')], { cwd: root, stdio: 'inherit' });
    process.exitCode = result.status ?? 1;
  }
} finally {
  rmSync(against, { recursive: true, force: true });
}
