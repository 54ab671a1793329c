import { describe, expect, it, vi } from 'vitest';
import type { SeatMapService, SerializedMap } from './seat-map.service.js';
import { SeatMapSnapshots } from './seat-map-snapshots.js';
import type { ShowVersions } from './show-versions.js';

const SHOW = 'show-s';

/**
 * SeatMapSnapshots over a fake database of 3,000 seats (more than one chunk) and a fake version
 * record: `change` sells seats and moves the version, as a committed write would.
 */
function newTestSnapshots() {
  const codes = Array.from({ length: 3000 }, () => 'A');
  const seat = (i: number) => `{"id":"s${i}","label":"A${i}","status":"${codes[i] === 'B' ? 'BOOKED' : 'AVAILABLE'}","holdExpiresAt":null}`;
  let version = 100;
  const changedAfter = new Map<string, number>();
  let gate: Promise<void> = Promise.resolve();
  const seatMaps = {
    serialized: vi.fn(async (): Promise<SerializedMap> => {
      await gate;
      return {
        layout: '"sections":[],"categories":[],"seats":[',
        areas: [],
        seatCount: codes.length,
        ids: codes.map((_, i) => `s${i}`),
        seats: codes.map((_, i) => seat(i)),
        codes: codes.join(''),
      };
    }),
    serializedSeats: vi.fn(async (_show: string, ids: string[]) => {
      await gate;
      return ids.map((id) => ({ id, json: seat(Number(id.slice(1))), code: codes[Number(id.slice(1))] }));
    }),
  };
  const versions = {
    readVersionsIfReachable: vi.fn(async () => [version]),
    changedSince: vi.fn(async (_show: string, after: number) => [...changedAfter].filter(([, v]) => v > after).map(([id]) => id)),
  };
  const snapshots = new SeatMapSnapshots(seatMaps as unknown as SeatMapService, versions as unknown as ShowVersions);
  return {
    snapshots,
    seatMaps,
    change: (...seats: number[]) => {
      version++;
      for (const i of seats) {
        codes[i] = 'B';
        changedAfter.set(`s${i}`, version);
      }
    },
    /** Holds the fake database's answers until the returned function is called. */
    hold: () => {
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      return open;
    },
  };
}

describe('SeatMapSnapshots', () => {
  it('builds a version once for every concurrent reader', async () => {
    const { snapshots, seatMaps, hold } = newTestSnapshots();
    const open = hold();
    const reads = Promise.all(Array.from({ length: 50 }, () => snapshots.current(SHOW)));
    open();
    const all = await reads;
    expect(seatMaps.serialized).toHaveBeenCalledTimes(1);
    expect(new Set(all).size).toBe(1);
    expect(all[0].version).toBe(100);
  });

  it('brings a snapshot up to date by reading only the seats changed since, to the same bytes as a full read', async () => {
    const { snapshots, seatMaps, change } = newTestSnapshots();
    const first = await snapshots.current(SHOW);
    change(5, 2999);
    const next = await snapshots.current(SHOW);

    expect(seatMaps.serialized).toHaveBeenCalledTimes(1);
    expect(seatMaps.serializedSeats).toHaveBeenCalledWith(SHOW, ['s5', 's2999']);
    expect(next.version).toBe(101);
    expect(next.availableSeats).toBe(first.availableSeats - 2);
    const full = await new SeatMapSnapshots(
      seatMaps as unknown as SeatMapService,
      {
        readVersionsIfReachable: async () => [101],
        changedSince: async () => undefined,
      } as unknown as ShowVersions,
    ).current(SHOW);
    expect(next.json).toBe(full.json);
    expect(next.statusJson).toBe(full.statusJson);
    expect(first.json).not.toBe(next.json); // the earlier snapshot is not changed by the patch
  });

  it('lets readers of a newer version wait for one next build instead of starting their own', async () => {
    const { snapshots, seatMaps, change, hold } = newTestSnapshots();
    await snapshots.current(SHOW);
    const open = hold();
    change(1);
    const during = snapshots.current(SHOW); // builds version 101
    await Promise.resolve();
    change(2);
    const newer = Promise.all(Array.from({ length: 20 }, () => snapshots.current(SHOW))); // want 102
    open();
    const [first, ...rest] = [await during, ...(await newer)];
    expect(first.version).toBe(101);
    expect(new Set(rest.map((snapshot) => snapshot.version))).toEqual(new Set([102]));
    expect(seatMaps.serializedSeats).toHaveBeenCalledTimes(2); // 101, then one build for all twenty readers of 102
  });
});
