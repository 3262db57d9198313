import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkInstanceName, instanceDatabase, instanceDirs, outputTail, workspaceRoot } from '../src';

describe('copies of the system', () => {
  it('accepts instance names that need no quoting in a database name', () => {
    expect(checkInstanceName('bench_1')).toBe('bench_1');
  });

  it('refuses names that would quote badly or collide with templates and test copies', () => {
    for (const name of ['', 'Bench', 'a-b', '_x', 'x'.repeat(41), 'test1', 'template_x']) expect(() => checkInstanceName(name)).toThrow(/instance name/);
  });

  it('gives the default copy the developer databases and folders, an instance its own', () => {
    expect(instanceDatabase('oms_order')).toBe('oms_order');
    expect(instanceDatabase('oms_order', 'bench')).toBe('oms_order_bench');
    expect(instanceDirs()).toEqual({ data: path.join(workspaceRoot, '.data'), logs: path.join(workspaceRoot, '.logs') });
    expect(instanceDirs('bench')).toEqual({ data: path.join(workspaceRoot, '.data', 'bench'), logs: path.join(workspaceRoot, '.logs', 'bench') });
  });
});

describe('outputTail', () => {
  it('keeps the last `limit` characters of what was appended', () => {
    const tail = outputTail(4);
    for (const chunk of ['ab', 'cdef', 'g', Buffer.from('hij')]) tail.append(chunk);
    expect(tail.text()).toBe('ghij');
  });
});
