/**
 * The import file as CSV (RFC 4180, read by csv-parse): UTF-8, a header line
 * exactly `csvHeader` (a BOM aside), then one record per order item. Fields
 * may be quoted ("a, b", "say ""hi""") and a quoted field may span lines.
 * Blank lines are skipped; CRLF, LF and CR line ends may be mixed.
 */
import { pipeline, type Readable } from 'node:stream';
import { parse } from 'csv-parse';

export const columns = ['order_ref', 'customer_id', 'sku', 'name', 'quantity', 'unit_price_minor', 'currency', 'created_at'] as const;
export const csvHeader = columns.join(',');

export class BadHeaderError extends Error {
  override name = 'BadHeaderError';
}

/** One record with the lines it spans; `problem` when csv-parse could not read it. */
export type CsvRecord = { firstLine: number; lastLine: number } & ({ fields: string[] } | { problem: string });

const lineBreaks = /\r\n|\r|\n/g;

/** Line breaks inside a record's quoted fields (csv-parse keeps them in the value). */
function breaksIn(fields: string[]): number {
  let breaks = 0;
  for (const field of fields) if (field.includes('\n') || field.includes('\r')) breaks += field.match(lineBreaks)!.length;
  return breaks;
}

/** Refuses a header that is not exactly `csvHeader`; undefined: the file was empty. */
function checkHeader(fields: string[] | undefined): void {
  const header = fields?.join(',');
  if (header !== csvHeader) {
    throw new BadHeaderError(`line 1: the header must be exactly "${csvHeader}", got ${header === undefined ? 'an empty file' : `"${header}"`}`);
  }
}

/**
 * Reads the records after the header, streaming. Throws BadHeaderError
 * before yielding anything when the header is wrong. A record with the wrong
 * number of fields is still yielded: that is its row's problem, not the file's.
 * `onLine` hears the last line read after every record, blank ones included.
 *
 * Records come as arrays, and line numbers are counted here rather than taken
 * from csv-parse's `columns` and `info` options: those build an object per
 * record and doubled the parsing time.
 */
export async function* readRecords(input: Readable, onLine: (line: number) => void = () => {}): AsyncGenerator<CsvRecord> {
  // With relaxed quotes the one error left is a quote still open at the end of
  // the file; skipping it (rather than failing the stream) keeps the records
  // before it, and it is reported after them.
  let unclosedAt: number | undefined;
  const parser = parse({
    bom: true,
    record_delimiter: ['\r\n', '\n', '\r'],
    relax_column_count: true,
    relax_quotes: true,
    skip_records_with_error: true,
    on_skip: (error) => void (unclosedAt = Number(error?.lines ?? 0)),
  });
  // pipeline, not pipe: a failing input (a read error) fails the parser, and
  // stopping the parser early closes the input.
  const records = pipeline(input, parser, () => {}) as AsyncIterable<string[]>;
  let line = 0;
  for await (const fields of records) {
    const firstLine = line + 1;
    line += 1 + breaksIn(fields);
    onLine(line);
    if (firstLine === 1) checkHeader(fields);
    else if (fields.length > 1 || fields[0] !== '') yield { firstLine, lastLine: line, fields };
  }
  if (line === 0) checkHeader(undefined);
  if (unclosedAt !== undefined) yield { firstLine: line + 1, lastLine: Math.max(unclosedAt, line + 1), problem: 'a quoted field is not closed' };
}
