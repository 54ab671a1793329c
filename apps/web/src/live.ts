import { io } from 'socket.io-client';
import { type SeatMap, type SeatStatuses, STATUS_OF_CODE } from './api.js';
import { elements, type SeatChange, state } from './page.js';
import { updateAreaCounts } from './areas.js';
import { applyChanges, renderAll, replaceSeat } from './seat-map.js';

// --- live updates ---

/** Connected once the first map is drawn (`connectLive`), so that the page's first requests go first. */
const socket = io('/seats', { autoConnect: false });
// A handle for debugging in the browser console (and for the browser test's reconnect checks):
// the socket, and how each subscription was answered.
const acks: ('map' | 'status' | 'delta' | 'up-to-date')[] = [];
Object.assign(((window as unknown as { seatBooking?: object }).seatBooking ??= {}), { socket, acks });

type Ack =
  | SeatMap
  | SeatStatuses
  | { upToDate: true; version: number }
  | { version: number; since: number; changes: SeatChange[] }
  | { error: unknown };

/** Opens the live feed (once; socket.io reconnects by itself from then on). */
export function connectLive(): void {
  if (!socket.active) socket.connect();
}

/**
 * (Re)subscribes with the version the page has: if nothing changed meanwhile the service says so
 * (`upToDate`); if it still has the changes since, it sends just those (a delta); otherwise the
 * status part, which replaces every seat the page shows at an older version. Nothing is missed
 * while away, and a reconnect costs almost nothing.
 */
export function subscribe(): void {
  if (!state.showId || !socket.connected) return;
  const showId = state.showId;
  socket.timeout(5000).emit('subscribe', { showId, version: state.mapVersion, format: 'status' }, (error: Error | null, ack: Ack) => {
    if (error || !ack || 'error' in ack || state.showId !== showId) return;
    if ('upToDate' in ack) {
      acks.push('up-to-date');
      return;
    }
    if ('changes' in ack) {
      acks.push('delta');
      applyChanges(ack.changes);
    } else if ('statuses' in ack) {
      acks.push('status');
      updateAreaCounts(ack.areas);
      const ids = [...state.seats.keys()];
      ids.forEach((id, i) => {
        const status = STATUS_OF_CODE[ack.statuses[i]] ?? 'BOOKED';
        replaceSeat(id, status, null, ack.version);
      });
    } else {
      acks.push('map');
      for (const seat of ack.seats) replaceSeat(seat.id, seat.status, seat.holdExpiresAt, ack.version);
    }
    state.mapVersion = Math.max(state.mapVersion, ack.version);
    for (const id of [...state.mine.keys()]) if (state.seats.get(id)?.status !== 'HELD') state.mine.delete(id);
    renderAll();
  });
}

socket.on('connect', () => {
  elements.live.textContent = 'Live: other buyers’ holds and sales appear as they happen.';
  subscribe();
});
socket.on('disconnect', () => {
  elements.live.textContent = 'Live updates interrupted; reconnecting…';
});
socket.on('seats:changed', (event: { showId: string; version: number; changes: SeatChange[] }) => {
  if (event.showId === state.showId) applyChanges(event.changes);
});
