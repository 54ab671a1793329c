import { describe, expect, it } from 'vitest';
import { bucketPercentile } from '../src/stadium.js';

const buckets = (counts: [number, number][]) => new Map(counts);

describe('bucketPercentile', () => {
  const before = buckets([
    [0.1, 10],
    [0.25, 10],
    [1, 10],
    [Infinity, 10],
  ]);

  it('names the bound of the bucket holding the percentile of what was observed between two reads', () => {
    // Since `before`: 90 observations under 100 ms, 9 more under 250 ms, 1 under a second.
    const after = buckets([
      [0.1, 100],
      [0.25, 109],
      [1, 110],
      [Infinity, 110],
    ]);
    expect(bucketPercentile(before, after, 50)).toBe(100);
    expect(bucketPercentile(before, after, 90)).toBe(100);
    expect(bucketPercentile(before, after, 99)).toBe(250);
    expect(bucketPercentile(before, after, 100)).toBe(1000);
  });

  it('says Infinity past the last bound and null when nothing was observed', () => {
    expect(bucketPercentile(before, buckets([...before, [Infinity, 12]]), 99)).toBe(Infinity);
    expect(bucketPercentile(before, before, 99)).toBeNull();
  });
});
