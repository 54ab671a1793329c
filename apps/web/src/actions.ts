import { type Booking, formatPrice, getJson, type Hold, type Outcome } from './api.js';
import { elements, explainConflicts, list, say, state, UNAVAILABLE, userId, writer } from './page.js';
import { renderActions, renderAll } from './seat-map.js';

// --- actions ---

export async function act(button: HTMLButtonElement, work: () => Promise<void>): Promise<void> {
  if (state.busy) return; // a double click does not send twice
  state.busy = true;
  renderActions();
  button.setAttribute('aria-busy', 'true');
  try {
    await work();
  } finally {
    state.busy = false;
    button.removeAttribute('aria-busy');
    renderAll();
  }
}

/** Says why a write did not succeed; seats in conflict leave `from` (the selection or my holds). */
export function reportFailure(outcome: Exclude<Outcome<unknown>, { kind: 'ok' }>, from: { delete(seatId: string): boolean }): void {
  if (outcome.kind === 'conflict') {
    for (const { seatId } of outcome.conflicts) from.delete(seatId);
    say(explainConflicts(outcome.conflicts), 'error');
  } else say(outcome.kind === 'unavailable' ? UNAVAILABLE : outcome.detail, 'error');
}

/** Records a granted hold (of seats or places) as mine, with its expiry, and says so. */
export function holdGranted(hold: Hold, placeLabel?: (placeId: string) => string): void {
  for (const id of hold.seatIds) {
    state.mine.set(id, Date.parse(hold.expiresAt));
    const seat = state.seats.get(id);
    if (seat) seat.status = 'HELD';
    else if (placeLabel) state.places.set(id, placeLabel(id));
  }
  tick();
}

elements.hold.addEventListener(
  'click',
  () =>
    void act(elements.hold, async () => {
      const seatIds = [...state.selected];
      const outcome = await writer.post<Hold>('api/seats/hold-bulk', { seatIds, userId: userId() });
      if (outcome.kind === 'ok') {
        state.selected.clear();
        holdGranted(outcome.body);
        say(`Held ${list(seatIds)}. Book them before the countdown ends.`, 'ok');
      } else reportFailure(outcome, state.selected);
    }),
);

elements.book.addEventListener(
  'click',
  () =>
    void act(elements.book, async () => {
      const seatIds = [...state.mine.keys()];
      const outcome = await writer.post<{ bookingId: string }>('api/seats/book-bulk', { seatIds, userId: userId() });
      if (outcome.kind === 'ok') {
        for (const id of seatIds) {
          state.mine.delete(id);
          const seat = state.seats.get(id);
          if (seat) seat.status = 'BOOKED';
        }
        say(`Booked ${list(seatIds)}. Booking ${outcome.body.bookingId.slice(0, 8)}, enjoy the show!`, 'ok');
        void loadBookings();
      } else reportFailure(outcome, state.mine);
    }),
);

elements.release.addEventListener(
  'click',
  () =>
    void act(elements.release, async () => {
      const seatIds = [...state.mine.keys()];
      const outcome = await writer.post('api/seats/release-bulk', { seatIds, userId: userId() });
      if (outcome.kind === 'ok') {
        for (const id of seatIds) {
          state.mine.delete(id);
          const seat = state.seats.get(id);
          if (seat) seat.status = 'AVAILABLE';
        }
        say(`Released ${list(seatIds)}.`);
      } else reportFailure(outcome, state.mine);
    }),
);

// --- the buyer's bookings of this show, each with a cancel button ---

export async function loadBookings(): Promise<void> {
  const showId = state.showId;
  const bookings = (await getJson<Booking[]>(`api/bookings?userId=${encodeURIComponent(userId())}`).catch(() => [])).filter(
    (booking) => booking.showId === showId && booking.status === 'CONFIRMED',
  );
  if (showId !== state.showId) return;
  elements.bookingsNone.hidden = bookings.length > 0;
  elements.bookings.replaceChildren(
    ...bookings.map((booking) => {
      const item = document.createElement('li');
      // A place of a standing area is named by its area: "Floor place 12".
      const labelOf = (seat: Booking['seats'][number]) => {
        const area = seat.section ? state.areas.get(seat.section) : undefined;
        return area ? `${area.label} place ${seat.label}` : seat.label;
      };
      const seats = booking.seats.map(labelOf).join(', ');
      const text = document.createElement('span');
      text.textContent = `${seats}${booking.total ? ` · ${formatPrice(booking.total)}` : ''} · booking ${booking.bookingId.slice(0, 8)}`;
      const cancel = document.createElement('button');
      cancel.type = 'button';
      cancel.textContent = 'Cancel';
      cancel.setAttribute('aria-label', `Cancel booking of ${seats}`);
      cancel.addEventListener(
        'click',
        () =>
          void act(cancel, async () => {
            const outcome = await writer.post(`api/bookings/${encodeURIComponent(booking.bookingId)}/cancel`, { userId: userId() });
            if (outcome.kind === 'ok') {
              for (const id of booking.seatIds) {
                const seat = state.seats.get(id);
                if (seat) seat.status = 'AVAILABLE';
              }
              say(`Cancelled ${seats}; the seats are on sale again.`, 'ok');
            } else
              say(outcome.kind === 'unavailable' ? UNAVAILABLE : outcome.kind === 'conflict' ? outcome.detail : outcome.detail, 'error');
            await loadBookings();
          }),
      );
      item.append(text, cancel);
      return item;
    }),
  );
}

// --- the hold's countdown ---

export function tick(): void {
  if (state.mine.size === 0) {
    elements.countdown.textContent = '';
    return;
  }
  const left = Math.min(...state.mine.values()) - Date.now();
  if (left > 0) {
    const seconds = Math.ceil(left / 1000);
    elements.countdown.textContent = `Hold expires in ${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
    return;
  }
  // The service will announce the release; say it now rather than wait for it.
  const lapsed = [...state.mine].filter(([, expiry]) => expiry <= Date.now()).map(([id]) => id);
  for (const id of lapsed) state.mine.delete(id);
  elements.countdown.textContent = '';
  say(`Your hold on ${list(lapsed)} expired. Hold the seats again to book them.`, 'error');
  renderAll();
}
