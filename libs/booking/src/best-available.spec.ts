import { describe, expect, it } from 'vitest';
import { chooseBest, rowsOf } from './best-available.js';

/** A layout of rows A, B, … of `perRow` seats; `codes` is one status letter per seat (A free). */
function venue(codes: string, perRow: number, sections: (string | null)[] = [null], category = (_row: number) => 'std') {
  const seats = [...codes].map((_, i) => {
    const row = Math.floor(i / perRow);
    return {
      id: `${String.fromCharCode(65 + row)}${(i % perRow) + 1}`,
      row: String.fromCharCode(65 + row),
      number: (i % perRow) + 1,
      section: sections[Math.min(row, sections.length - 1)],
      category: category(row),
    };
  });
  return { rows: rowsOf(seats), isFree: (i: number) => codes[i] === 'A' };
}

describe('best available', () => {
  it('takes a block in the middle of the first row', () => {
    const { rows, isFree } = venue('AAAAAAAAAA' + 'AAAAAAAAAA', 10);
    expect(chooseBest(rows, isFree, { quantity: 2 })).toEqual({ seatIds: ['A5', 'A6'], together: true });
    expect(chooseBest(rows, isFree, { quantity: 3 })).toEqual({ seatIds: ['A4', 'A5', 'A6'], together: true });
  });

  it('strands no single seat: a later row without a stranded seat beats an earlier row with one', () => {
    // Row A: only A1 A2 A3 free (A4 taken): two of them strand one. Row B: all free.
    const { rows, isFree } = venue('AAAHHHHHHH' + 'AAAAAAAAAA', 10);
    expect(chooseBest(rows, isFree, { quantity: 2 })).toEqual({ seatIds: ['B5', 'B6'], together: true });
    // …but three fill row A's gap exactly.
    expect(chooseBest(rows, isFree, { quantity: 3 })).toEqual({ seatIds: ['A1', 'A2', 'A3'], together: true });
  });

  it('accepts a stranded seat when no block avoids one, and splits the group only when allowed', () => {
    const { rows, isFree } = venue('AAAHAHAAAH', 10);
    expect(chooseBest(rows, isFree, { quantity: 2 })).toEqual({ seatIds: ['A7', 'A8'], together: true });
    const single = venue('AHAHAHAHAH', 10);
    expect(chooseBest(single.rows, single.isFree, { quantity: 2, together: true })).toBeUndefined();
    expect(chooseBest(single.rows, single.isFree, { quantity: 2 })).toEqual({ seatIds: ['A5', 'A7'], together: false });
    expect(chooseBest(single.rows, single.isFree, { quantity: 6 })).toBeUndefined();
  });

  it('never offers taken or blocked seats, and keeps to the categories and sections asked for', () => {
    const { rows, isFree } = venue('XXXXAAAAXX' + 'AAAAAAAAAA' + 'AAAAAAAAAA', 10, ['floor', 'floor', 'balcony'], (row) =>
      row === 1 ? 'vip' : 'std',
    );
    expect(chooseBest(rows, isFree, { quantity: 4 })?.seatIds).toEqual(['A5', 'A6', 'A7', 'A8']);
    expect(chooseBest(rows, isFree, { quantity: 2, categories: ['vip'] })?.seatIds).toEqual(['B5', 'B6']);
    expect(chooseBest(rows, isFree, { quantity: 2, sections: ['balcony'] })?.seatIds).toEqual(['C5', 'C6']);
    expect(chooseBest(rows, isFree, { quantity: 2, sections: ['nowhere'] })).toBeUndefined();
  });

  describe('a general-admission area', () => {
    /** Row A of 4 seats, then an area of places P1… with statuses `codes`. */
    function withArea(codes: string) {
      const seated = venue('AAAA', 4);
      const offset = 4;
      const places = [...codes].map((_, n) => ({ index: offset + n, id: `P${n + 1}`, number: n + 1, category: 'ga' }));
      const rows = [...seated.rows, { section: 'floor', area: true, seats: places }];
      return { rows, isFree: (i: number) => (i < offset ? true : codes[i - offset] === 'A') };
    }

    it('is chosen only when `sections` names it', () => {
      const { rows, isFree } = withArea('AAAAAAAAAA');
      expect(chooseBest(rows, isFree, { quantity: 5 })).toBeUndefined();
      expect(chooseBest(rows, isFree, { quantity: 5, sections: ['floor'] })).toEqual({
        seatIds: ['P1', 'P2', 'P3', 'P4', 'P5'],
        together: true,
      });
    });

    it('starts where `spread` says and takes the first free block from there, wrapping round', () => {
      const { rows, isFree } = withArea('AAAAAHHAAA');
      expect(chooseBest(rows, isFree, { quantity: 2, sections: ['floor'], spread: 0.5 })).toEqual({
        seatIds: ['P8', 'P9'],
        together: true,
      });
      // From P9: P9 P10 then P1 are not one block; P1 P2 P3 is.
      expect(chooseBest(rows, isFree, { quantity: 3, sections: ['floor'], spread: 0.85 })).toEqual({
        seatIds: ['P1', 'P2', 'P3'],
        together: true,
      });
      expect(chooseBest(rows, isFree, { quantity: 6, sections: ['floor'], together: true })).toBeUndefined();
      // Not together: the first free places from the start, across the gap.
      const apart = chooseBest(rows, isFree, { quantity: 6, sections: ['floor'], spread: 0.3 });
      expect(apart).toEqual({ seatIds: ['P4', 'P5', 'P8', 'P9', 'P10', 'P1'], together: false });
      expect(chooseBest(rows, isFree, { quantity: 9, sections: ['floor'] })).toBeUndefined();
    });
  });
});
