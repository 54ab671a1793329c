import { describe, expect, it } from 'vitest';
import { holdConflict, ownershipConflict } from './conflicts.js';

describe(ownershipConflict.name, () => {
  const seat = { id: 's1', holdOwner: null, msLeft: null };

  it('says NOT_FOUND for a missing seat and BOOKED for a sold one', () => {
    expect(ownershipConflict(undefined, 's1', 'u').reason).toBe('NOT_FOUND');
    expect(ownershipConflict({ ...seat, status: 'BOOKED' }, 's1', 'u').reason).toBe('BOOKED');
  });

  it("says EXPIRED when the user's own hold lapsed, even after the sweeper freed the seat", () => {
    expect(ownershipConflict({ ...seat, status: 'HELD', holdOwner: 'u', msLeft: -5 }, 's1', 'u').reason).toBe('EXPIRED');
    expect(ownershipConflict({ ...seat, status: 'AVAILABLE', holdOwner: 'u', msLeft: -5 }, 's1', 'u').reason).toBe('EXPIRED');
  });

  it("says NOT_HELD_BY_YOU for a free seat or someone else's hold", () => {
    expect(ownershipConflict({ ...seat, status: 'AVAILABLE' }, 's1', 'u').reason).toBe('NOT_HELD_BY_YOU');
    expect(ownershipConflict({ ...seat, status: 'HELD', holdOwner: 'v', msLeft: 5000 }, 's1', 'u').reason).toBe('NOT_HELD_BY_YOU');
  });
});

describe(holdConflict.name, () => {
  it('reports BOOKED for sold seats and HELD otherwise', () => {
    expect(holdConflict({ id: 's', status: 'BOOKED', holdOwner: null, msLeft: null }, 's').reason).toBe('BOOKED');
    expect(holdConflict({ id: 's', status: 'HELD', holdOwner: 'v', msLeft: 10 }, 's').reason).toBe('HELD');
  });
});
