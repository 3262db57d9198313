/**
 * `npm run lock:complete`, after any `npm install` that changes the lock.
 *
 * The npm registry mirror these machines use serves only linux-x64 builds of
 * platform packages (esbuild, nx, swc, rollup, buf...), so npm writes no
 * lock entries for the other platforms' optional packages, and `npm ci` then
 * refuses the lock as out of sync. This adds each missing one as an optional
 * entry limited to its platform (read from its name), which `npm ci` skips
 * here and fetches on that platform. With a full registry it finds nothing to do.
 */
import { readFileSync, writeFileSync } from 'node:fs';

interface LockEntry {
  version?: string;
  dev?: boolean;
  optional?: boolean;
  optionalDependencies?: Record<string, string>;
  os?: string[];
  cpu?: string[];
  libc?: string[];
}

const platform = /(darwin|linux|win32|freebsd|openbsd|netbsd|android|openharmony|sunos|aix)-(arm64|x64|ia32|arm|ppc64|s390x|loong64|riscv64)/;
const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8')) as { packages: Record<string, LockEntry> };

const added: string[] = [];
for (const entry of Object.values(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const path = `node_modules/${name}`;
    const match = platform.exec(name);
    if (lock.packages[path] || !match) continue;
    lock.packages[path] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [match[1]!],
      cpu: [match[2]!],
      ...(name.includes('musl') ? { libc: ['musl'] } : name.includes('-gnu') ? { libc: ['glibc'] } : {}),
    };
    added.push(name);
  }
}
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added.length ? `added lock entries for ${added.length} other-platform packages` : 'the lock is complete');
