import { Metrics } from '@app/metrics';
import type { Namespace } from 'socket.io';
import { describe, expect, it } from 'vitest';
import { Fanout } from './fanout.js';
import { SEATS_CHANGED, type SeatsChangedEvent, showRoom } from './seats-changed.event.js';

const SHOW = 'stadium';

/** A namespace of fake sockets that take events through engine.io (no WebSocket to write a frame to). */
function room(size: number) {
  const members = new Set<string>();
  const sockets = new Map<string, unknown>();
  const received = new Map<string, SeatsChangedEvent[]>();
  /** Called after each write, with the socket's id: lets a test act in the middle of a round. */
  let afterWrite: (id: string) => void = () => undefined;
  const join = (id: string) => {
    received.set(id, []);
    members.add(id);
    sockets.set(id, {
      conn: { readyState: 'open', writeBuffer: [], transport: { name: 'polling', writable: true } },
      client: {
        writeToEngine: ([packet]: [{ data: [string, SeatsChangedEvent] }]) => {
          expect(packet.data[0]).toBe(SEATS_CHANGED);
          received.get(id)!.push(packet.data[1]);
          afterWrite(id);
        },
      },
      disconnect: () => undefined,
    });
  };
  for (let i = 0; i < size; i++) join(`s${i}`);
  const namespace = {
    name: '/seats',
    sockets,
    adapter: {
      rooms: new Map([[showRoom(SHOW), members]]),
      _encode: (packet: unknown) => [packet],
    },
  } as unknown as Namespace;
  return { namespace, received, join, onWrite: (fn: (id: string) => void) => (afterWrite = fn) };
}

const batch = (version: number, ...seatIds: string[]): SeatsChangedEvent => ({
  showId: SHOW,
  version,
  changes: seatIds.map((seatId) => ({ seatId, status: 'HELD', holdExpiresAt: null, version })),
  at: new Date().toISOString(),
});

/** Waits until the fan-out has gone idle (it yields between slices). */
const settled = () => new Promise((resolve) => setTimeout(resolve, 50));

const seatsOf = (events: SeatsChangedEvent[]) => events.flatMap((event) => event.changes.map((change) => change.seatId)).sort();

describe('Fanout', () => {
  it('gives a batch that comes mid-round to the sockets ahead of the cursor with the one before, and to the others next', async () => {
    const { namespace, received, onWrite } = room(6);
    const metrics = new Metrics();
    const fanout = new Fanout(namespace, metrics);
    let sent = false;
    onWrite((id) => {
      if (id === 's2' && !sent) fanout.deliver(batch(2, 'B1'));
      sent ||= id === 's2';
    });
    fanout.deliver(batch(1, 'A1'));
    await settled();

    // s0..s2 had batch 1 alone, then batch 2 once the cursor came round; s3..s5 both in one event.
    for (const id of ['s0', 's1', 's2']) expect(received.get(id)!.map((event) => event.version)).toEqual([1, 2]);
    for (const id of ['s3', 's4', 's5']) {
      expect(received.get(id)).toHaveLength(1);
      expect(received.get(id)![0].version).toBe(2);
    }
    for (const events of received.values()) expect(seatsOf(events)).toEqual(['A1', 'B1']);
    const written = (await metrics.liveBatchWritten.get()).values;
    expect(written.find((value) => value.metricName === 'live_batch_written_seconds_count')!.value).toBe(2);
  });

  it('gives a socket that joins during a round what came after it joined, and nothing twice to the others', async () => {
    const { namespace, received, join, onWrite } = room(3);
    const fanout = new Fanout(namespace, new Metrics());
    onWrite((id) => {
      if (id === 's1' && !received.has('late')) {
        join('late');
        fanout.deliver(batch(2, 'B1'));
      }
    });
    fanout.deliver(batch(1, 'A1'));
    await settled();

    expect(seatsOf(received.get('late')!)).toContain('B1');
    for (const id of ['s0', 's1', 's2']) expect(seatsOf(received.get(id)!)).toEqual(['A1', 'B1']);

    // Idle again: a new batch reaches everyone once.
    onWrite(() => undefined);
    fanout.deliver(batch(3, 'C1'));
    await settled();
    for (const events of received.values()) expect(events.at(-1)!.changes.map((change) => change.seatId)).toEqual(['C1']);
  });
});
