import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { BadHeaderError, csvHeader, readRecords, type CsvRecord } from '../src/importer/csv';

async function records(input: string | Readable): Promise<CsvRecord[]> {
  const all: CsvRecord[] = [];
  for await (const record of readRecords(typeof input === 'string' ? Readable.from([input]) : input)) all.push(record);
  return all;
}

describe('csv', () => {
  it('splits quoted fields and reports a quote left open with its lines', async () => {
    expect(await records(`${csvHeader}\na,"b, c","say ""hi""",\n`)).toEqual([{ firstLine: 2, lastLine: 2, fields: ['a', 'b, c', 'say "hi"', ''] }]);
    expect(await records(`${csvHeader}\nx,y\na,"b\nc,d\n`)).toEqual([
      { firstLine: 2, lastLine: 2, fields: ['x', 'y'] },
      { firstLine: 3, lastLine: 4, problem: 'a quoted field is not closed' },
    ]);
  });

  it('reads a quoted field with a comma and a line break, and counts the lines it spans', async () => {
    const text = `${csvHeader}\r\nR1,"Mug,\r\nlarge",x\n\nR2,"two\nline\nbreaks"\rR3\n`;
    expect(await records(text)).toEqual([
      { firstLine: 2, lastLine: 3, fields: ['R1', 'Mug,\r\nlarge', 'x'] },
      { firstLine: 5, lastLine: 7, fields: ['R2', 'two\nline\nbreaks'] },
      { firstLine: 8, lastLine: 8, fields: ['R3'] },
    ]);
  });

  it('hears every line, blank ones included', async () => {
    const lines: number[] = [];
    for await (const _ of readRecords(Readable.from([`${csvHeader}\na\n\n"b\nc"\n`]), (line) => lines.push(line)));
    expect(lines).toEqual([1, 2, 3, 5]);
  });

  it('fails with the input when reading fails, and closes the input when stopped early', async () => {
    const failing = new Readable({
      read() {
        this.destroy(new Error('disk gone'));
      },
    });
    await expect(records(failing)).rejects.toThrow('disk gone');
    const input = Readable.from([`${csvHeader}\na\nb\n`]);
    for await (const _ of readRecords(input)) break;
    expect(input.destroyed).toBe(true);
  });

  it('refuses a wrong header, or none, before yielding anything', async () => {
    await expect(records('order_ref,customer\na,b\n')).rejects.toThrow(
      new BadHeaderError(`line 1: the header must be exactly "${csvHeader}", got "order_ref,customer"`),
    );
    await expect(records('')).rejects.toThrow(/got an empty file/);
    expect(await records(`\uFEFF${csvHeader}\n`)).toEqual([]);
  });
});
