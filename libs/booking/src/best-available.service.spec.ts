import { describe, expect, it, vi } from 'vitest';
import { BestAvailableService } from './best-available.service.js';
import { NotEnoughSeatsError, SeatConflictError } from './booking.errors.js';
import type { SeatHoldService } from './seat-hold.service.js';
import { type SeatMapSnapshot, type SeatMapSnapshots, ShowLayout } from './seat-map-snapshots.js';

const SHOW = 'show-1';

/** One row A of `codes.length` seats; `codes` its status letters (A free). */
function snapshotOf(codes: string, confirmedAt: number, layout: ShowLayout): SeatMapSnapshot {
  const ids = [...codes].map((_, i) => `A${i + 1}`);
  return {
    showId: SHOW,
    pieces: { codes, ids, seatCount: ids.length, areas: [], layout: '', seatChunks: [] },
    index: new Map(ids.map((id, i) => [id, i])),
    layout,
    areas: [],
    availableSeats: [...codes].filter((code) => code === 'A').length,
    confirmedAt,
  } as unknown as SeatMapSnapshot;
}

/**
 * BestAvailableService with the snapshots and the hold faked: which snapshot each request
 * chooses from, what it skips, and when it asks for a current snapshot.
 */
function newTestService(initial: string) {
  const seats = [...initial].map(
    (_, i) => `{"id":"A${i + 1}","label":"A${i + 1}","row":"A","number":${i + 1},"section":null,"category":null}`,
  );
  const layout = new ShowLayout(SHOW, 'v1', `"sections":[],"categories":[],"seats":[${seats.join(',')}],"areas":[]}`);
  let stale = snapshotOf(initial, 0, layout);
  let fresh = snapshotOf(initial, 0, layout);
  const snapshots = {
    recent: vi.fn(async () => stale),
    current: vi.fn(async () => fresh),
  };
  const taken = new Set<string>();
  let gate: { promise: Promise<void>; open: () => void } | undefined;
  const holds = {
    refuseEarlyFor: vi.fn(async () => undefined),
    hold: vi.fn(async ({ seatIds, userId }: { seatIds: string[]; userId: string }) => {
      await gate?.promise;
      const conflicts = seatIds.filter((id) => taken.has(id)).map((seatId) => ({ seatId, reason: 'HELD' as const }));
      if (conflicts.length > 0) throw new SeatConflictError(conflicts);
      for (const id of seatIds) taken.add(id);
      return { holdId: 'h', userId, showId: SHOW, seatIds, expiresAt: new Date().toISOString() };
    }),
  };
  const service = new BestAvailableService(snapshots as unknown as SeatMapSnapshots, holds as unknown as SeatHoldService);
  return {
    service,
    snapshots,
    holds,
    taken,
    setStale: (codes: string, confirmedAt: number) => (stale = snapshotOf(codes, confirmedAt, layout)),
    setFresh: (codes: string, confirmedAt: number) => (fresh = snapshotOf(codes, confirmedAt, layout)),
    /** Makes holds wait until `go()`: requests overlap. */
    pause: () => {
      let open = () => undefined as void;
      const promise = new Promise<void>((resolve) => (open = resolve));
      gate = { promise, open };
    },
    go: () => {
      gate?.open();
      gate = undefined;
    },
  };
}

const best = (quantity: number, userId = 'fan') => ({ showId: SHOW, userId, quantity });

describe('BestAvailableService', () => {
  it('chooses from the current snapshot when no other request of the show is in progress', async () => {
    const { service, snapshots } = newTestService('AAAAAA');
    const held = await service.holdBest(best(2));
    expect(held.seatIds).toEqual(['A3', 'A4']);
    expect(snapshots.current).toHaveBeenCalledTimes(1);
    expect(snapshots.recent).not.toHaveBeenCalled();
  });

  it('among concurrent requests, uses the recent snapshot and never offers what this instance took since it was confirmed', async () => {
    const test = newTestService('AAAAAAAAAA');
    test.pause();
    const first = test.service.holdBest(best(2, 'a'));
    await vi.waitFor(() => expect(test.holds.hold).toHaveBeenCalledTimes(1));
    // A second request while the first is in progress: the recent snapshot, without the seats being taken.
    const second = test.service.holdBest(best(2, 'b'));
    await vi.waitFor(() => expect(test.snapshots.recent).toHaveBeenCalledTimes(1));
    test.go();
    const [a, b] = await Promise.all([first, second]);
    expect(a.seatIds).toEqual(['A5', 'A6']);
    expect(b.seatIds).not.toContain('A5');
    expect(b.seatIds).not.toContain('A6');
    expect(test.holds.hold).toHaveBeenCalledTimes(2); // no race lost between them
  });

  it('skips seats taken lately until a snapshot confirmed after them, and asks the current snapshot before saying no', async () => {
    const test = newTestService('AAAA');
    // A1 A2 (A2 A3 would strand A1 and A4), from the current snapshot, confirmed at 0.
    expect((await test.service.holdBest(best(2, 'a'))).seatIds).toEqual(['A1', 'A2']);
    test.pause();
    const blocker = test.service.holdBest(best(1, 'b')); // alone: the current snapshot, without A1 A2 taken since
    await vi.waitFor(() => expect(test.holds.hold).toHaveBeenCalledTimes(2));
    expect(test.holds.hold.mock.calls[1][0].seatIds).toEqual(['A3']);
    // Concurrent: the recent snapshot shows everything free, but A3 is being taken and A1 A2 were
    // taken since it was confirmed; only A4 is left, so the current snapshot is asked, and agrees.
    test.setFresh('HHAA', performance.now());
    await expect(test.service.holdBest(best(2, 'c'))).rejects.toBeInstanceOf(NotEnoughSeatsError);
    expect(test.snapshots.recent).toHaveBeenCalledTimes(1);
    expect(test.snapshots.current).toHaveBeenCalledTimes(3);
    test.go();
    await blocker;
    expect([...test.taken].sort()).toEqual(['A1', 'A2', 'A3']);
  });
});
