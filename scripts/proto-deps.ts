/**
 * The proto files our contract imports but does not own (protovalidate's
 * buf/validate/validate.proto), fetched into proto/vendor/ (gitignored).
 * There is no Buf registry here, so they come from the Go module proxy,
 * which serves the protovalidate repository, pinned to the release whose
 * rules @bufbuild/protovalidate (the runtime validator) implements.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const protovalidate = 'github.com/bufbuild/protovalidate@v1.2.2';
const vendor = fileURLToPath(new URL('../proto/vendor', import.meta.url));
const target = path.join(vendor, 'buf/validate/validate.proto');

if (!existsSync(target)) {
  console.log(`fetching buf/validate/validate.proto from ${protovalidate} (Go module proxy)...`);
  let dir: string;
  try {
    dir = JSON.parse(execFileSync('go', ['mod', 'download', '-json', protovalidate], { encoding: 'utf8' })).Dir;
  } catch (error) {
    throw new Error(`cannot fetch ${protovalidate} with Go (needed for proto/vendor): ${(error as Error).message}`);
  }
  mkdirSync(path.dirname(target), { recursive: true });
  copyFileSync(path.join(dir, 'proto/protovalidate/buf/validate/validate.proto'), target);
}
