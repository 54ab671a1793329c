import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BOOK_PATH, HOLD_PATH, REQUEST_HEADERS, SEATS_PER_HOLD } from '../src/contention.js';

/** k6 cannot run here, so the Node runner stands in for it; this keeps the two in step. */
const k6 = readFileSync(new URL('../../../k6_load_test.js', import.meta.url), 'utf8');
const constant = (name: string) => new RegExp(`^const ${name} = ([^;]+);`, 'm').exec(k6)?.[1];

describe('k6_load_test.js and the Node load runner', () => {
  it('post to the same endpoints', () => {
    expect(constant('HOLD_PATH')).toBe(`'${HOLD_PATH}'`);
    expect(constant('BOOK_PATH')).toBe(`'${BOOK_PATH}'`);
    const posted = [...k6.matchAll(/send(?:MaybeTwice)?\((\w+_PATH)/g)].map((match) => match[1]);
    expect(new Set(posted)).toEqual(new Set(['HOLD_PATH', 'BOOK_PATH']));
  });

  it('send the same headers, and the same body shape', () => {
    const headers = /headers: \{ ([^}]+) \}/.exec(k6)![1];
    expect([...headers.matchAll(/'([\w-]+)':/g)].map((match) => match[1]).sort()).toEqual([...REQUEST_HEADERS].sort());
    expect(k6).toMatch(/\{ seatIds, userId \}/);
    expect(k6).toMatch(/const userId = `vu-\$\{__VU\}`/);
    expect(constant('SEATS_PER_HOLD')).toBe(String(SEATS_PER_HOLD));
  });

  it('default to 500 virtual users on ten seats, with a fifth of requests retried with the same key', () => {
    expect(constant('VUS')).toBe('Number(__ENV.VUS || 500)');
    expect(constant('RETRY_RATE')).toBe('Number(__ENV.RETRY_RATE || 0.2)');
    expect(k6).toMatch(/__ENV\.SEATS \|\| 'A1,A2,A3,A4,A5,A6,A7,A8,A9,A10'/);
    const main = readFileSync(new URL('../src/main.ts', import.meta.url), 'utf8');
    expect(main).toMatch(/env\.VUS \?\? 500/);
    expect(main).toMatch(/env\.RETRY_RATE \?\? 0\.2/);
    expect(main).toMatch(/'A1,A2,A3,A4,A5,A6,A7,A8,A9,A10'/);
  });

  it('fail the run on a double sale or a server error', () => {
    expect(k6).toMatch(/server_errors: \['count==0'\]/);
    expect(k6).toMatch(/\['count<=1'\]; \/\/ sold at most once/);
  });
});
