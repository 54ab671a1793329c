import { hasControlCharacters } from '@app/common';
import { createHash } from 'node:crypto';
import { InvalidIdempotencyKeyError } from './idempotency.errors.js';

export const MAX_KEY_LENGTH = 255;

/** RFC 8941 §3.3.3 sf-string: printable ASCII between quotes, with `\"` and `\\` escapes. */
const SF_STRING = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\["\\])*)"$/;

/**
 * Reads an `Idempotency-Key` header. The IETF draft "The Idempotency-Key HTTP Header Field"
 * defines it as a structured-field string (`"abc-123"`, RFC 8941 §3.3.3); the bare form
 * (`abc-123`) that most clients send is accepted too, and both mean the same key.
 */
export function parseIdempotencyKey(header: string | string[] | undefined): string {
  if (header === undefined) throw new InvalidIdempotencyKeyError('The Idempotency-Key header is required on this endpoint.');
  if (Array.isArray(header)) throw new InvalidIdempotencyKeyError('Send exactly one Idempotency-Key header.');
  let key = header.trim();
  if (key.startsWith('"')) {
    const match = SF_STRING.exec(key);
    if (!match) throw new InvalidIdempotencyKeyError('The Idempotency-Key is not a valid structured-field string.');
    key = match[1].replace(/\\(["\\])/g, '$1');
  }
  if (key === '') throw new InvalidIdempotencyKeyError('The Idempotency-Key must not be empty.');
  if (key.length > MAX_KEY_LENGTH)
    throw new InvalidIdempotencyKeyError(`The Idempotency-Key must be at most ${MAX_KEY_LENGTH} characters.`);
  if (hasControlCharacters(key)) throw new InvalidIdempotencyKeyError('The Idempotency-Key must not contain control characters.');
  return key;
}

/** JSON with object keys sorted at every level, so equal bodies give equal fingerprints. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** What makes two requests "the same request": endpoint and canonical body (which names the user). */
export function requestFingerprint(method: string, route: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method} ${route}\n${canonicalJson(body)}`)
    .digest('base64url');
}
