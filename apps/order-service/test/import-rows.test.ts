import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { csvHeader } from '../src/importer/csv';
import { readOrders } from '../src/importer/orders';
import { orderProblem, parseRow, type ImportRow } from '../src/importer/rows';
import { parseTimestamp } from '../src/importer/timestamp';

const record = (line: number, text: string) => ({ firstLine: line, lastLine: line, fields: text.split(',') });

describe('rows', () => {
  it('reads timestamps as UTC and refuses days that do not exist', () => {
    expect(parseTimestamp('2024-05-01T10:00:00Z')).toBe('2024-05-01T10:00:00.000Z');
    expect(parseTimestamp('2024-05-01 10:00')).toBe('2024-05-01T10:00:00.000Z');
    expect(parseTimestamp('2024-05-01T10:00:00+0200')).toBe('2024-05-01T08:00:00.000Z');
    expect(parseTimestamp('2024-05-01T10:00-02')).toBe('2024-05-01T12:00:00.000Z');
    expect(parseTimestamp('2024-05-01T10:00:00.1234+05:30')).toBe('2024-05-01T04:30:00.123Z');
    expect(parseTimestamp('2024-05-01')).toBe('2024-05-01T00:00:00.000Z');
    expect(parseTimestamp('2023-02-29')).toBeUndefined();
    expect(parseTimestamp('May 1 2024')).toBeUndefined();
  });

  it('lists every problem of a row', () => {
    expect(parseRow(record(2, `R1,${1},SKU,Mug,2,1299,EUR,2024-05-01`))).toEqual({
      row: {
        line: 2,
        ref: 'R1',
        customerId: '1',
        sku: 'SKU',
        name: 'Mug',
        quantity: 2,
        unitPriceMinor: 1299n,
        currency: 'EUR',
        createdAt: '2024-05-01T00:00:00.000Z',
      },
    });
    const bad = parseRow(record(3, 'R1,x,SKU,Mug,-2,12.5,EUR,2024-05-01'));
    expect(bad).toEqual({
      ref: 'R1',
      problems: [expect.stringMatching(/customer_id "x"/), expect.stringMatching(/quantity "-2"/), expect.stringMatching(/unit_price_minor "12.5"/)],
    });
    expect(parseRow(record(4, 'R1,1,SKU,Mug,1,100,XXX,2024-05-01'))).toEqual({ ref: 'R1', problems: [expect.stringMatching(/currency "XXX"/)] });
    expect(parseRow(record(5, 'R1,1,SKU'))).toEqual({ ref: 'R1', problems: ['expected 8 fields, got 3'] });
    expect(parseRow({ firstLine: 6, lastLine: 9, problem: 'a quoted field is not closed' })).toEqual({ ref: '', problems: ['a quoted field is not closed'] });
  });

  it('names the line of a bad timestamp', async () => {
    const text = `${csvHeader}\nR1,1,MUG,Mug,1,100,EUR,2024-05-01\nR1,1,TEA,Tea,1,100,EUR,2024-02-30\n`;
    const events = [];
    for await (const event of readOrders(Readable.from([text]))) events.push(event);
    expect(events).toEqual([
      { rejection: { firstLine: 2, lastLine: 3, orders: 1, ref: 'R1', reason: 'line 3: created_at "2024-02-30" is not an ISO 8601 timestamp' } },
    ]);
  });

  it('refuses orders that mix currencies or repeat an sku', () => {
    const row = (line: number, sku: string, currency: string): ImportRow => ({
      line,
      ref: 'R',
      customerId: '1',
      sku,
      name: 'n',
      quantity: 1,
      unitPriceMinor: 1n,
      currency,
      createdAt: '2024-05-01T00:00:00.000Z',
    });
    expect(orderProblem([row(2, 'A', 'EUR'), row(3, 'B', 'EUR')])).toBeUndefined();
    expect(orderProblem([row(2, 'A', 'EUR'), row(3, 'B', 'USD')])).toMatch(/mixed currencies \(EUR, USD\)/);
    expect(orderProblem([row(2, 'A', 'EUR'), row(3, 'A', 'EUR')])).toMatch(/line 3: sku A already on line 2/);
  });

  it('applies the contract of CreateOrder: skus, lines an order, control characters', () => {
    expect(parseRow(record(2, 'R1,1,mug\u0000,Mug,1,100,EUR,2024-05-01'))).toEqual({
      ref: 'R1',
      problems: [expect.stringMatching(/^sku "mug.": must be 1 to 64 upper-case/)],
    });
    const many = Array.from({ length: 101 }, (_, i): ImportRow => ({
      line: i + 2,
      ref: 'R',
      customerId: '1',
      sku: `S${i}`,
      name: 'n',
      quantity: 1,
      unitPriceMinor: 1n,
      currency: 'EUR',
      createdAt: '2024-05-01T00:00:00.000Z',
    }));
    expect(orderProblem(many)).toBe('order R: lines: must contain no more than 100 item(s)');
    expect(orderProblem(many.slice(0, 100))).toBeUndefined();
  });
});
