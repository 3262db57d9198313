/**
 * The first step of `npm run setup` and `npm start`: generate the code
 * (protobuf contracts, Prisma clients) that everything else imports. Uses
 * nothing but Node itself, so it runs on a fresh clone.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const started = Date.now();
const root = fileURLToPath(new URL('..', import.meta.url));

export const log = (line: string) => console.log(`[oms ${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${line}`);

export function fail(error: unknown): never {
  console.error(`[oms] failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

export function generateCode(): Promise<void> {
  log('generating code (protobuf contracts, Prisma clients)...');
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['nx', 'run-many', '-t', 'generate', '--outputStyle=static'], { cwd: root, stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`code generation failed (exit ${code})`))));
  });
}
