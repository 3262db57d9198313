import { describe, expect, it } from 'vitest';
import { parseBuckets } from '../bucket-list';

describe('parseBuckets', () => {
  it('takes numbers and ranges, in the order written', () => {
    expect(parseBuckets('0-3,40')).toEqual([0, 1, 2, 3, 40]);
    expect(parseBuckets('9, 2-2 ,1023')).toEqual([9, 2, 1023]);
    expect(parseBuckets('0-1023')).toHaveLength(1024);
  });

  it.each([
    ['', /"" is not a bucket/],
    ['1,,2', /"" is not a bucket/],
    ['-1', /"-1" is not a bucket/],
    ['a-3', /"a-3" is not a bucket/],
    ['1.5', /"1.5" is not a bucket/],
    ['1024', /buckets are 0..1023/],
    ['1000-1100', /buckets are 0..1023/],
    ['15-0', /a range goes up \(0-15\?\)/],
    ['0-15,7', /bucket 7 is named twice/],
  ])('refuses %j', (list, message) => {
    expect(() => parseBuckets(list)).toThrow(message);
  });
});
