import { parseOrRefuse } from '@app/common';
import { describe, expect, it } from 'vitest';
import { applyPatch, layoutOf, PATCH_REFUSAL, SHOW_REFUSAL, ShowDefinitionSchema, ShowPatchSchema } from './show-definition.js';

const SHOW = {
  title: 'Neon Nights',
  startsAt: '2027-03-14T19:30:00Z',
  categories: [{ key: 'floor', price: { amount: 4500, currency: 'EUR' } }],
  sections: [
    {
      key: 'hall',
      rows: [
        { label: 'A', seats: 3, category: 'floor' },
        { label: 'B', seats: ['1', '2A'] },
      ],
    },
  ],
};

const refusalOf = (spoil: (show: any) => void): string => {
  const show = structuredClone(SHOW) as any;
  spoil(show);
  try {
    parseOrRefuse(ShowDefinitionSchema, show, SHOW_REFUSAL);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('accepted');
};

describe('show definitions', () => {
  it('fill in the defaults of a valid definition', () => {
    const now = new Date('2027-01-01T00:00:00Z');
    const layout = layoutOf(parseOrRefuse(ShowDefinitionSchema, SHOW, SHOW_REFUSAL), now);
    expect(layout).toMatchObject({ venue: '', salesOpenAt: now, perOrder: 50, perCustomer: null });
    expect(layout.salesCloseAt.toISOString()).toBe('2027-03-14T19:30:00.000Z');
    expect(layout.id).toMatch(/^neon-nights-[0-9a-f]{6}$/);
    expect(layout.categories).toEqual([{ key: 'floor', label: 'floor', price: { amount: 4500, currency: 'EUR' } }]);
    expect(layout.sections[0].rows[1]).toEqual({ label: 'B', seats: ['1', '2A'], category: null });
  });

  it.each([
    [
      'a seat label, naming its row by label',
      (s: any) => (s.sections[0].rows[1].seats[1] = '2_A'),
      /^sections\[0\]\.rows\[1\] \("B"\)\.seats\[1\] must be 1 to 8 letters, digits, "-" or "." \(got "2_A"\)\. Nothing was changed\.$/,
    ],
    [
      'a fractional seat count, judged as a count',
      (s: any) => (s.sections[0].rows[0].seats = 2.5),
      /rows\[0\] \("A"\)\.seats must be an integer from 1 to 100000 \(got 2\.5\)/,
    ],
    [
      'seats of neither kind',
      (s: any) => (s.sections[0].rows[0].seats = true),
      /rows\[0\] \("A"\)\.seats must be a number of seats or a list of seat labels/,
    ],
    ['an empty row', (s: any) => (s.sections[0].rows[0].seats = 0), /^sections\[0\]\.rows\[0\] \("A"\): a row needs at least one seat\./],
    [
      'an invalid row label, not named by it',
      (s: any) => (s.sections[0].rows[0].label = 'A B'),
      /^sections\[0\]\.rows\[0\]\.label must be/,
    ],
    ['unknown members', (s: any) => Object.assign(s, { colour: 'red', size: 1 }), /^The show has unknown properties "colour", "size"\./],
    ['a body that is no object', (s: any) => (s.sections = null), /^sections must be an array\./],
    ['a reserved id', (s: any) => (s.id = 'shows'), /^id "shows" is reserved/],
    ['a blank title', (s: any) => (s.title = '   '), /^title must be a non-empty string\./],
    ['a title with a control character', (s: any) => (s.title = 'a\u0000b'), /^title must not contain control characters\./],
  ])('refuse %s with a sentence naming it', (_name, spoil, detail) => {
    expect(refusalOf(spoil)).toMatch(detail);
  });

  it('refuse a layout member in a patch, and a window that would close before it opens', () => {
    expect(() => parseOrRefuse(ShowPatchSchema, { sections: [] }, PATCH_REFUSAL)).toThrow(
      /^The patch may not change sections: the layout never changes/,
    );
    const patch = parseOrRefuse(ShowPatchSchema, { salesCloseAt: '2020-01-01T00:00:00Z' }, PATCH_REFUSAL);
    const show = {
      salesOpenAt: new Date('2026-01-01T00:00:00Z'),
      salesCloseAt: new Date('2027-01-01T00:00:00Z'),
      perOrder: 50,
      perCustomer: null,
    };
    expect(() => applyPatch(show, patch)).toThrow(/salesCloseAt \(2020-01-01T00:00:00\.000Z\) must be after salesOpenAt/);
    expect(applyPatch(show, parseOrRefuse(ShowPatchSchema, { limits: { perCustomer: 4 } }, PATCH_REFUSAL)).perCustomer).toBe(4);
  });
});
