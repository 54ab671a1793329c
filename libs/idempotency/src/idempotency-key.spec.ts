import { describe, expect, it } from 'vitest';
import { InvalidIdempotencyKeyError } from './idempotency.errors.js';
import { canonicalJson, parseIdempotencyKey, requestFingerprint } from './idempotency-key.js';

describe(parseIdempotencyKey.name, () => {
  it('accepts the bare and the structured-field string form as the same key', () => {
    expect(parseIdempotencyKey('abc-123')).toBe('abc-123');
    expect(parseIdempotencyKey('"abc-123"')).toBe('abc-123');
    expect(parseIdempotencyKey('"say \\"hi\\" \\\\o/"')).toBe('say "hi" \\o/');
  });

  it.each([
    ['missing', undefined],
    ['repeated', ['a', 'b']],
    ['empty', ''],
    ['blank', '   '],
    ['an empty string item', '""'],
    ['too long', 'x'.repeat(256)],
    ['with a control character', 'a\u0001b'],
    ['a malformed quoted string', '"a"b"'],
  ])('refuses a key that is %s', (_, header) => {
    expect(() => parseIdempotencyKey(header as string | undefined)).toThrow(InvalidIdempotencyKeyError);
  });
});

describe(requestFingerprint.name, () => {
  it('ignores key order but not values, endpoints or methods', () => {
    const a = requestFingerprint('POST', '/hold', { userId: 'u', seatIds: ['1', '2'] });
    expect(requestFingerprint('POST', '/hold', { seatIds: ['1', '2'], userId: 'u' })).toBe(a);
    expect(requestFingerprint('POST', '/hold', { seatIds: ['2', '1'], userId: 'u' })).not.toBe(a);
    expect(requestFingerprint('POST', '/book', { seatIds: ['1', '2'], userId: 'u' })).not.toBe(a);
  });

  it('canonicalises nested objects', () => {
    expect(canonicalJson({ b: { d: 1, c: [true, null] }, a: 'x' })).toBe('{"a":"x","b":{"c":[true,null],"d":1}}');
  });
});
