/**
 * The /app folder of an app's image, from its build (`nx build` first):
 *   npx tsx scripts/package-app.ts <app> <outDir>
 * writes dist/ (the bundles; the orchestrator's workflow bundle), prisma/
 * (services: schema, shared models, migrations), and a package.json +
 * package-lock.json of the app's production dependencies, every version
 * (transitive ones too) as the repository's package-lock.json has it, for
 * `npm ci --omit=dev`. The Dockerfile and scripts/test/images.test.ts both
 * use it, so the test runs what the image holds.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedModels, sharedModelsDir } from '@oms/db/prisma-config';
import { isEntryPoint } from '@oms/platform';

interface LockEntry {
  version?: string;
  resolved?: string;
  link?: boolean;
  dev?: boolean;
  optional?: boolean;
  devOptional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}
interface Lock {
  name: string;
  version: string;
  lockfileVersion: number;
  requires: boolean;
  packages: Record<string, LockEntry>;
}

const root = fileURLToPath(new URL('..', import.meta.url));
const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;
const workspacePrefix = '@oms/';

/** The lock location a package `name` required from `from` resolves to (Node's lookup, nearest node_modules first). */
function resolve(lock: Lock, from: string, name: string): string | undefined {
  for (let base = from; ;) {
    const candidate = base ? `${base}/node_modules/${name}` : `node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!base) return undefined;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent < 0 ? '' : base.slice(0, parent);
  }
}

/** The app's runtime dependencies: its own and its workspace libs', transitively, minus the (bundled) libs themselves. */
function productionDependencies(lock: Lock, app: string): Record<string, string> {
  const found = new Map<string, string>();
  const visit = (packageDir: string) => {
    const { dependencies = {} } = readJson<{ dependencies?: Record<string, string> }>(path.join(root, packageDir, 'package.json'));
    for (const name of Object.keys(dependencies)) {
      if (found.has(name)) continue;
      const location = resolve(lock, '', name);
      const entry = location && lock.packages[location];
      if (!entry) throw new Error(`${name} (a dependency of ${packageDir}) is not in package-lock.json`);
      found.set(name, entry.version ?? '');
      if (name.startsWith(workspacePrefix)) visit(entry.resolved!);
    }
  };
  visit(path.join('apps', app));
  return Object.fromEntries([...found].filter(([name]) => !name.startsWith(workspacePrefix)).sort(([a], [b]) => a.localeCompare(b)));
}

/** The part of the repository's lock that `dependencies` need, at the same locations; optional only where reached only through optional edges. */
function subsetLock(lock: Lock, name: string, dependencies: Record<string, string>): Lock {
  const reach = (withOptional: boolean): Set<string> => {
    const seen = new Set<string>();
    const queue: [string, string[]][] = [['', Object.keys(dependencies)]];
    for (let item = queue.shift(); item; item = queue.shift()) {
      const [from, names] = item;
      for (const dependency of names) {
        const location = resolve(lock, from, dependency);
        if (!location) {
          if (withOptional) continue; // an optional package of another platform, or an optional peer nobody installed
          throw new Error(`${dependency} (needed by ${from || name}) is not in package-lock.json`);
        }
        if (seen.has(location)) continue;
        seen.add(location);
        const entry = lock.packages[location]!;
        const peers = Object.keys(entry.peerDependencies ?? {});
        const requiredPeers = peers.filter((peer) => !entry.peerDependenciesMeta?.[peer]?.optional);
        const next = [
          ...Object.keys(entry.dependencies ?? {}),
          ...(withOptional ? [...Object.keys(entry.optionalDependencies ?? {}), ...peers] : requiredPeers),
        ];
        queue.push([location, next]);
      }
    }
    return seen;
  };
  const required = reach(false);
  const packages: Record<string, LockEntry> = { '': { name, version: '0.0.0', dependencies } as LockEntry };
  for (const location of [...reach(true)].sort()) {
    const { dev: _dev, optional: _optional, devOptional: _devOptional, peer: _peer, ...entry } = lock.packages[location]!;
    packages[location] = required.has(location) ? entry : { ...entry, optional: true };
  }
  return { name, version: '0.0.0', lockfileVersion: 3, requires: true, packages };
}

export function packageApp(app: string, outDir: string): void {
  const appDir = path.join(root, 'apps', app);
  if (!existsSync(path.join(appDir, 'dist', 'main.js'))) throw new Error(`apps/${app}/dist/main.js is missing: run \`npx nx build @oms/${app}\` first`);
  mkdirSync(outDir, { recursive: true });
  cpSync(path.join(appDir, 'dist'), path.join(outDir, 'dist'), { recursive: true });
  if (existsSync(path.join(appDir, 'prisma'))) {
    cpSync(path.join(appDir, 'prisma', 'schema.prisma'), path.join(outDir, 'prisma', 'schema.prisma'));
    cpSync(path.join(appDir, 'prisma', 'migrations'), path.join(outDir, 'prisma', 'migrations'), { recursive: true });
    for (const file of sharedModels) cpSync(path.join(sharedModelsDir, file), path.join(outDir, 'prisma', file));
  }
  const lock = readJson<Lock>(path.join(root, 'package-lock.json'));
  const name = `${workspacePrefix}${app}`;
  const dependencies = productionDependencies(lock, app);
  const packageJson = { name, version: '0.0.0', private: true, type: 'module', dependencies };
  writeFileSync(path.join(outDir, 'package.json'), `${JSON.stringify(packageJson, null, 2)}\n`);
  writeFileSync(path.join(outDir, 'package-lock.json'), `${JSON.stringify(subsetLock(lock, name, dependencies), null, 2)}\n`);
}

if (isEntryPoint(import.meta.url)) {
  const [app, outDir] = process.argv.slice(2);
  if (!app || !outDir || !existsSync(path.join(root, 'apps', app))) throw new Error('usage: package-app.ts <app (an apps/ folder)> <outDir>');
  packageApp(app, path.resolve(outDir));
  console.log(`packaged apps/${app} into ${outDir}`);
}
