/**
 * Programs built from Go modules: one the developer names is used as it is;
 * a release archive is installed only when its sha256 is the pinned one.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@oms/platform';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureGoTool, findGoTool, releasePlatform, type GoTool } from '../src/go-tools';

const tool: GoTool = { name: 'oms-test-tool', title: 'a test tool', pkg: 'example.com/nothing', version: 'v0.0.0', envVar: 'OMS_TEST_TOOL' };
const scratch = () => mkdtempSync(path.join(os.tmpdir(), 'go-tool-'));

afterEach(() => {
  delete process.env.OMS_TEST_TOOL;
});

describe('go tools', () => {
  it('uses the binary its variable names, without building', async () => {
    const binary = path.join(scratch(), 'oms-test-tool');
    writeFileSync(binary, '');
    process.env.OMS_TEST_TOOL = binary;
    const lines: string[] = [];
    expect(await ensureGoTool(tool, (line) => lines.push(line))).toBe(binary);
    expect(lines).toEqual([expect.stringMatching(/^a test tool: .*oms-test-tool$/)]);
  });

  it('finds nothing when it is nowhere', () => {
    expect(findGoTool(tool, scratch())).toBeUndefined();
  });
});

describe('release download', () => {
  // A release archive holding an executable `oms-test-tool`, served over real HTTP.
  const folder = scratch();
  writeFileSync(path.join(folder, 'oms-test-tool'), '#!/bin/sh\necho released\n', { mode: 0o755 });
  execFileSync('tar', ['-czf', 'release.tar.gz', 'oms-test-tool'], { cwd: folder });
  const archive = readFileSync(path.join(folder, 'release.tar.gz'));
  const sha256 = createHash('sha256').update(archive).digest('hex');
  const requested: string[] = [];
  const server = http.createServer((req, res) => {
    requested.push(req.url!);
    if (req.url === `/v0.0.0/oms-test-tool_${releasePlatform()}.tar.gz`) res.writeHead(200).end(archive);
    else res.writeHead(404).end();
  });
  let baseUrl = '';

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v0.0.0`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const released = (pinned: string): GoTool => ({
    ...tool,
    release: { baseUrl, archive: (platform) => `oms-test-tool_${platform}.tar.gz`, sha256: { [releasePlatform()]: pinned } },
  });

  it('installs the archive whose checksum is the pinned one, and runs it', async () => {
    const binDir = path.join(scratch(), 'bin');
    const lines: string[] = [];
    const installed = await ensureGoTool(released(sha256), (line) => lines.push(line), binDir);
    expect(installed).toBe(path.join(binDir, 'oms-test-tool'));
    expect(execFileSync(installed, { encoding: 'utf8' })).toBe('released\n');
    expect(lines.some((line) => line.startsWith('done downloading a test tool'))).toBe(true);
    expect(findGoTool(tool, binDir)).toBe(installed);
  });

  it('says why a download failed (not just "fetch failed") before it falls back to Go', async () => {
    const unreachable: GoTool = { ...released(sha256), release: { ...released(sha256).release!, baseUrl: `http://127.0.0.1:${await freePort()}/v0.0.0` } };
    const lines: string[] = [];
    await expect(ensureGoTool(unreachable, (line) => lines.push(line), path.join(scratch(), 'bin'))).rejects.toThrow(/release download failed: .*ECONNREFUSED/);
    expect(lines).toContainEqual(
      expect.stringMatching(/could not download a test tool: http:\/\/127\.0\.0\.1:\d+\/v0\.0\.0\/oms-test-tool_\w+\.tar\.gz: connect ECONNREFUSED/),
    );
  });

  it('refuses an archive whose checksum differs, installs nothing, and says why when the Go build fails too', async () => {
    const binDir = path.join(scratch(), 'bin');
    mkdirSync(binDir);
    const lines: string[] = [];
    const attempt = ensureGoTool(released('0'.repeat(64)), (line) => lines.push(line), binDir);
    await expect(attempt).rejects.toThrow(/release download failed: .* has sha256 [0-9a-f]{64}, not the pinned 0{64}: refused/);
    expect(existsSync(path.join(binDir, 'oms-test-tool'))).toBe(false);
    expect(lines).toContainEqual(expect.stringMatching(/could not download a test tool: .*refused; building it with Go instead/));
  });
});
