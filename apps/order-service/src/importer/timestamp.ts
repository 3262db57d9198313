const isoTimestamp = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const daysIn = (year: number, month: number) =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
let lastTimestamp: [text: string, iso: string | undefined] = ['', undefined];

/**
 * An ISO 8601 date or date-time (no zone means UTC) as a UTC ISO string;
 * undefined when it is not one or names no real day. Done by hand, not by
 * Date's parser, which rolls 2024-02-30 over to March and was most of the
 * parsing time; the last answer is kept since an order's lines repeat it.
 */
export function parseTimestamp(text: string): string | undefined {
  if (text === lastTimestamp[0]) return lastTimestamp[1];
  const m = isoTimestamp.exec(text);
  let iso: string | undefined;
  if (m) {
    const [year, month, day, hour = 0, minute = 0, second = 0] = m.slice(1, 7).map((v) => Number(v ?? 0)) as number[];
    const [, sign = '+', zoneHours = '0', zoneMinutes = '0'] = /^([+-])(\d{2}):?(\d{2})?$/.exec(m[8] ?? '') ?? [];
    const offsetMinutes = (sign === '-' ? -1 : 1) * (Number(zoneHours) * 60 + Number(zoneMinutes));
    if (month! >= 1 && month! <= 12 && day! >= 1 && day! <= daysIn(year!, month!) && hour <= 23 && minute <= 59 && second <= 59) {
      const date = new Date(0);
      date.setUTCFullYear(year!, month! - 1, day!);
      date.setUTCHours(hour, minute - offsetMinutes, second, Number((m[7] ?? '').padEnd(3, '0').slice(0, 3)));
      iso = date.toISOString();
    }
  }
  lastTimestamp = [text, iso];
  return iso;
}
