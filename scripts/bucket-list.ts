/** The bucket list `npm run reshard` takes: numbers and ranges, comma-separated ("0-15,40"). */
const lastBucket = 1023;

/** The buckets in the order written; each is 0..1023 and named once, or this throws saying which part is wrong. */
export function parseBuckets(list: string): number[] {
  const buckets: number[] = [];
  for (const part of list.split(',').map((p) => p.trim())) {
    const match = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!match) throw new Error(`"${part}" is not a bucket or a range of buckets (like 7 or 0-15)`);
    const [first, last] = [Number(match[1]), Number(match[2] ?? match[1])];
    if (last > lastBucket) throw new Error(`"${part}": buckets are 0..${lastBucket}`);
    if (first > last) throw new Error(`"${part}": a range goes up (${last}-${first}?)`);
    for (let bucket = first; bucket <= last; bucket++) {
      if (buckets.includes(bucket)) throw new Error(`bucket ${bucket} is named twice`);
      buckets.push(bucket);
    }
  }
  return buckets;
}
