/** Programs built from Go modules: one the developer names is used as it is, and nothing is built then. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureGoTool, findGoTool, type GoTool } from '../src/go-tools';

const tool: GoTool = { name: 'oms-test-tool', title: 'a test tool', pkg: 'example.com/nothing', version: 'v0.0.0', envVar: 'OMS_TEST_TOOL' };

afterEach(() => {
  delete process.env.OMS_TEST_TOOL;
});

describe('go tools', () => {
  it('uses the binary its variable names, without building', async () => {
    const binary = path.join(mkdtempSync(path.join(os.tmpdir(), 'go-tool-')), 'oms-test-tool');
    writeFileSync(binary, '');
    process.env.OMS_TEST_TOOL = binary;
    const lines: string[] = [];
    expect(await ensureGoTool(tool, (line) => lines.push(line))).toBe(binary);
    expect(lines).toEqual([expect.stringMatching(/^a test tool: .*oms-test-tool$/)]);
  });

  it('finds nothing when it is nowhere', () => {
    expect(findGoTool(tool)).toBeUndefined();
  });
});
