import { io } from 'socket.io-client';
import {
  type Booking,
  type Conflict,
  formatPrice,
  getJson,
  IdempotentWriter,
  randomId,
  type Outcome,
  type Seat,
  type SeatMap,
  type SeatStatuses,
  STATUS_OF_CODE,
  type ShowLayout,
  type ShowSummary,
} from './api.js';

/**
 * The seat-map page: pick a show, pick seats, hold them (with a countdown), book or release them,
 * and watch everyone else's holds, bookings and expiries arrive live over socket.io.
 * The service never says who holds a seat, so the page remembers which holds are its own.
 */

interface SeatChange {
  seatId: string;
  status: Seat['status'];
  holdExpiresAt: string | null;
  /** The show's version at which this change happened. */
  version: number;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const elements = {
  user: $<HTMLInputElement>('user'),
  shows: $<HTMLUListElement>('shows'),
  show: $<HTMLElement>('show'),
  title: $<HTMLHeadingElement>('show-title'),
  message: $<HTMLParagraphElement>('message'),
  map: $<HTMLDivElement>('map'),
  hold: $<HTMLButtonElement>('hold'),
  book: $<HTMLButtonElement>('book'),
  release: $<HTMLButtonElement>('release'),
  countdown: $<HTMLSpanElement>('countdown'),
  live: $<HTMLParagraphElement>('live'),
  prices: $<HTMLUListElement>('prices'),
  bookings: $<HTMLUListElement>('bookings'),
  bookingsNone: $<HTMLParagraphElement>('bookings-none'),
};

/** Category colours, in the order the show lists its categories (a stripe on each seat and in the legend). */
const CATEGORY_COLOURS = ['#7b3fc4', '#0f7d8c', '#c43f6e', '#8c6d0f', '#3f63c4', '#3f8c3f'];

const state = {
  showId: undefined as string | undefined,
  seats: new Map<string, Seat>(),
  buttons: new Map<string, HTMLButtonElement>(),
  selected: new Set<string>(),
  /** My holds: seat id → expiry (ms since epoch). */
  mine: new Map<string, number>(),
  busy: false,
  /** Category key → label, price and colour; section key → label (when the show has several). */
  categories: new Map<string, { label: string; price: string; colour: string }>(),
  sections: new Map<string, string>(),
  /** The version of what the page shows: of the map it started from, and per seat of the newest change applied. */
  mapVersion: 0,
  seatVersions: new Map<string, number>(),
};
const writer = new IdempotentWriter();

// --- the buyer's name: entered or generated, kept in this browser ---

const USER_KEY = 'seat-booking:user';
elements.user.value = localStorage.getItem(USER_KEY) ?? `guest-${randomId().slice(0, 6)}`;
localStorage.setItem(USER_KEY, elements.user.value);
elements.user.addEventListener('change', () => {
  elements.user.value = elements.user.value.trim() || `guest-${randomId().slice(0, 6)}`;
  localStorage.setItem(USER_KEY, elements.user.value);
  state.mine.clear(); // holds belong to the previous name
  renderAll();
  void loadBookings();
});
const userId = () => elements.user.value;

// --- messages ---

function say(text: string, kind: 'info' | 'ok' | 'error' = 'info'): void {
  elements.message.textContent = text;
  elements.message.dataset.kind = kind;
}

const labelOf = (seatId: string) => state.seats.get(seatId)?.label ?? seatId;
const list = (seatIds: string[]) => seatIds.map(labelOf).join(', ');

function explainConflicts(conflicts: Conflict[]): string {
  const by = (reason: Conflict['reason']) => conflicts.filter((c) => c.reason === reason).map((c) => c.seatId);
  const parts: string[] = [];
  const taken = [...by('HELD'), ...by('BOOKED')];
  if (taken.length) parts.push(`Sorry, someone else got ${list(taken)}. Nothing was held; pick other seats.`);
  if (by('EXPIRED').length) parts.push(`Your hold on ${list(by('EXPIRED'))} expired. Hold the seats again to book them.`);
  if (by('NOT_HELD_BY_YOU').length) parts.push(`${list(by('NOT_HELD_BY_YOU'))} is not held by you (any more).`);
  return parts.join(' ') || 'That did not work; please try again.';
}

const UNAVAILABLE = 'The booking service is unavailable right now. Nothing was changed; please try again in a moment.';

// --- shows ---

async function loadShows(): Promise<void> {
  const shows = await getJson<ShowSummary[]>('api/seats/shows');
  elements.shows.replaceChildren(
    ...shows.map((show) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.showId = show.id;
      button.innerHTML = `<strong></strong><small></small>`;
      button.querySelector('strong')!.textContent = show.title;
      button.querySelector('small')!.textContent =
        `${new Date(show.startsAt).toLocaleString()} · ${show.availableSeats} of ${show.totalSeats} free`;
      button.addEventListener('click', () => void openShow(show.id, show.title));
      item.append(button);
      return item;
    }),
  );
  const wanted = new URLSearchParams(location.search).get('show');
  const first = shows.find((show) => show.id === wanted) ?? (wanted ? undefined : shows[0]);
  if (first) await openShow(first.id, first.title);
  else if (wanted) say(`There is no show "${wanted}".`, 'error');
}

async function openShow(showId: string, title: string): Promise<void> {
  state.showId = showId;
  state.selected.clear();
  state.mine.clear();
  history.replaceState(null, '', `?show=${encodeURIComponent(showId)}`);
  for (const button of elements.shows.querySelectorAll('button'))
    button.setAttribute('aria-current', String(button.dataset.showId === showId));
  elements.title.textContent = title;
  elements.show.hidden = false;
  say('');
  // The layout never changes (the browser keeps it and revalidates it for a 304); the status part
  // is one character per seat, and the live feed keeps it current from there.
  const path = `api/seats/${encodeURIComponent(showId)}`;
  const [layout, statuses] = await Promise.all([getJson<ShowLayout>(`${path}/layout`), getJson<SeatStatuses>(`${path}/status`)]);
  buildMap({
    showId,
    version: statuses.version,
    sections: layout.sections,
    categories: layout.categories,
    seats: layout.seats.map((seat, i) => ({ ...seat, status: STATUS_OF_CODE[statuses.statuses[i]] ?? 'BOOKED', holdExpiresAt: null })),
  });
  subscribe();
  void loadBookings();
}

// --- the seat map ---

function buildMap(map: SeatMap): void {
  state.seats = new Map(map.seats.map((seat) => [seat.id, seat]));
  state.mapVersion = map.version;
  state.seatVersions = new Map(map.seats.map((seat) => [seat.id, map.version]));
  state.buttons.clear();
  state.categories = new Map(
    map.categories.map((category, i) => [
      category.key,
      { label: category.label, price: formatPrice(category.price), colour: CATEGORY_COLOURS[i % CATEGORY_COLOURS.length] },
    ]),
  );
  state.sections = new Map(map.sections.length > 1 ? map.sections.map((section) => [section.key, section.label]) : []);
  elements.prices.replaceChildren(
    ...[...state.categories.values()].map(({ label, price, colour }) => {
      const item = document.createElement('li');
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.setProperty('--category', colour);
      item.append(swatch, `${label}: ${price}`);
      return item;
    }),
  );
  // Rows in layout order, grouped by section (row labels may repeat across sections).
  const rows = new Map<string, Seat[]>();
  for (const seat of map.seats) {
    const key = `${seat.section ?? ''}\u0000${seat.row}`;
    rows.set(key, [...(rows.get(key) ?? []), seat]);
  }
  const lines: HTMLElement[] = [];
  let section: string | null | undefined;
  [...rows.values()].forEach((seats, rowIndex) => {
    const { row, section: sectionKey } = seats[0];
    if (sectionKey !== section && state.sections.has(sectionKey ?? '')) {
      const heading = document.createElement('h3');
      heading.className = 'section-label';
      heading.textContent = state.sections.get(sectionKey!)!;
      lines.push(heading);
    }
    section = sectionKey;
    const line = document.createElement('div');
    line.className = 'row';
    line.setAttribute('role', 'group');
    line.setAttribute('aria-label', `Row ${row}${state.sections.has(sectionKey ?? '') ? `, ${state.sections.get(sectionKey!)}` : ''}`);
    const label = document.createElement('span');
    label.className = 'row-label';
    label.textContent = row;
    label.setAttribute('aria-hidden', 'true');
    line.append(label);
    seats.forEach((seat, column) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'seat';
      button.textContent = seat.label.slice(row.length) || String(seat.number);
      button.dataset.seatId = seat.id;
      button.dataset.row = String(rowIndex);
      button.dataset.column = String(column);
      const category = seat.category ? state.categories.get(seat.category) : undefined;
      if (category) button.style.setProperty('--category', category.colour);
      button.addEventListener('click', () => toggle(seat.id));
      button.addEventListener('keydown', moveFocus);
      state.buttons.set(seat.id, button);
      line.append(button);
    });
    lines.push(line);
  });
  elements.map.replaceChildren(...lines);
  renderAll();
}

/** Arrow keys move between seats (Tab still moves through them in order). */
function moveFocus(event: KeyboardEvent): void {
  const steps: Record<string, [number, number]> = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] };
  const step = steps[event.key];
  if (!step) return;
  const from = event.currentTarget as HTMLButtonElement;
  const row = Number(from.dataset.row) + step[0];
  const column = Number(from.dataset.column) + step[1];
  const target = elements.map.querySelector<HTMLButtonElement>(`button[data-row="${row}"][data-column="${column}"]`);
  if (target) {
    event.preventDefault();
    target.focus();
  }
}

function seatState(seat: Seat): 'available' | 'selected' | 'mine' | 'held' | 'booked' {
  if (state.mine.has(seat.id) && seat.status === 'HELD') return 'mine';
  if (state.selected.has(seat.id)) return 'selected';
  if (seat.status === 'BOOKED' || seat.status === 'BLOCKED') return 'booked';
  if (seat.status === 'HELD') return 'held';
  return 'available';
}

const DESCRIPTIONS = { available: 'free', selected: 'selected by you', mine: 'held by you', held: 'held by someone', booked: 'sold' };

function renderSeat(seatId: string): void {
  const seat = state.seats.get(seatId);
  const button = state.buttons.get(seatId);
  if (!seat || !button) return;
  const look = seatState(seat);
  button.dataset.state = look;
  button.dataset.status = seat.status;
  // A seat you picked that someone else has taken meanwhile stays picked, marked as taken.
  button.dataset.taken = String(look === 'selected' && seat.status !== 'AVAILABLE');
  const taken = button.dataset.taken === 'true' ? `, now ${seat.status === 'BOOKED' ? 'sold' : 'held by someone'}` : '';
  const name = `Seat ${seat.label}${seat.section && state.sections.has(seat.section) ? ` (${state.sections.get(seat.section)})` : ''}`;
  const category = seat.category ? state.categories.get(seat.category) : undefined;
  const price = category ? `, ${category.label} ${category.price}` : '';
  button.setAttribute('aria-label', `${name}, ${DESCRIPTIONS[look]}${taken}${price}`);
  button.title = `${name}${category ? ` · ${category.label} · ${category.price}` : ''}`;
  button.setAttribute('aria-pressed', String(look === 'selected'));
  button.setAttribute('aria-disabled', String(look === 'held' || look === 'booked'));
}

function renderAll(): void {
  for (const seatId of state.seats.keys()) renderSeat(seatId);
  renderActions();
}

function renderActions(): void {
  elements.hold.disabled = state.busy || state.selected.size === 0;
  elements.book.disabled = state.busy || state.mine.size === 0;
  elements.release.disabled = state.busy || state.mine.size === 0;
  elements.hold.textContent = state.selected.size
    ? `Hold ${state.selected.size} seat${state.selected.size > 1 ? 's' : ''}`
    : 'Hold selected';
}

function toggle(seatId: string): void {
  const seat = state.seats.get(seatId);
  if (!seat || state.mine.has(seatId)) return;
  if (state.selected.has(seatId)) state.selected.delete(seatId);
  else if (seat.status === 'AVAILABLE') state.selected.add(seatId);
  else return say(`${seat.label} is ${seat.status === 'BOOKED' ? 'sold' : 'held by someone else'}.`);
  renderSeat(seatId);
  renderActions();
}

/** Applies each change to a seat the page shows at an older version than the change's (events may arrive out of order). */
function applyChanges(changes: SeatChange[]): void {
  for (const change of changes) {
    const seat = state.seats.get(change.seatId);
    if (!seat || change.version <= (state.seatVersions.get(change.seatId) ?? 0)) continue;
    state.seatVersions.set(change.seatId, change.version);
    seat.status = change.status;
    seat.holdExpiresAt = change.holdExpiresAt;
    if (change.status !== 'HELD' && state.mine.has(change.seatId)) {
      state.mine.delete(change.seatId);
      if (change.status === 'AVAILABLE') say(`Your hold on ${seat.label} expired; the seat is free again.`, 'error');
    }
    renderSeat(change.seatId);
  }
  renderActions();
}

// --- actions ---

async function act(button: HTMLButtonElement, work: () => Promise<void>): Promise<void> {
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
function reportFailure(outcome: Exclude<Outcome<unknown>, { kind: 'ok' }>, from: { delete(seatId: string): boolean }): void {
  if (outcome.kind === 'conflict') {
    for (const { seatId } of outcome.conflicts) from.delete(seatId);
    say(explainConflicts(outcome.conflicts), 'error');
  } else say(outcome.kind === 'unavailable' ? UNAVAILABLE : outcome.detail, 'error');
}

elements.hold.addEventListener(
  'click',
  () =>
    void act(elements.hold, async () => {
      const seatIds = [...state.selected];
      const outcome = await writer.post<{ seatIds: string[]; expiresAt: string }>('api/seats/hold-bulk', { seatIds, userId: userId() });
      if (outcome.kind === 'ok') {
        state.selected.clear();
        for (const id of outcome.body.seatIds) {
          state.mine.set(id, Date.parse(outcome.body.expiresAt));
          state.seats.get(id)!.status = 'HELD';
        }
        say(`Held ${list(seatIds)}. Book them before the countdown ends.`, 'ok');
        tick();
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
          state.seats.get(id)!.status = 'BOOKED';
        }
        say(`Booked ${list(seatIds)}. Booking ${outcome.body.bookingId.slice(0, 8)}, enjoy the show!`, 'ok');
        void loadBookings();
      } else reportFailure(outcome, state.mine);
    }),
);

// --- the buyer's bookings of this show, each with a cancel button ---

async function loadBookings(): Promise<void> {
  const showId = state.showId;
  const bookings = (await getJson<Booking[]>(`api/bookings?userId=${encodeURIComponent(userId())}`).catch(() => [])).filter(
    (booking) => booking.showId === showId && booking.status === 'CONFIRMED',
  );
  if (showId !== state.showId) return;
  elements.bookingsNone.hidden = bookings.length > 0;
  elements.bookings.replaceChildren(
    ...bookings.map((booking) => {
      const item = document.createElement('li');
      const seats = booking.seats.map((seat) => seat.label).join(', ');
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

elements.release.addEventListener(
  'click',
  () =>
    void act(elements.release, async () => {
      const seatIds = [...state.mine.keys()];
      const outcome = await writer.post('api/seats/release-bulk', { seatIds, userId: userId() });
      if (outcome.kind === 'ok') {
        for (const id of seatIds) {
          state.mine.delete(id);
          state.seats.get(id)!.status = 'AVAILABLE';
        }
        say(`Released ${list(seatIds)}.`);
      } else reportFailure(outcome, state.mine);
    }),
);

// --- the hold's countdown ---

function tick(): void {
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
setInterval(tick, 250);

// --- live updates ---

const socket = io('/seats');
// A handle for debugging in the browser console (and for the browser test's reconnect checks):
// the socket, and how each subscription was answered.
const acks: ('map' | 'status' | 'delta' | 'up-to-date')[] = [];
(window as unknown as { seatBooking: unknown }).seatBooking = { socket, acks };

type Ack =
  | SeatMap
  | SeatStatuses
  | { upToDate: true; version: number }
  | { version: number; since: number; changes: SeatChange[] }
  | { error: unknown };

/**
 * (Re)subscribes with the version the page has: if nothing changed meanwhile the service says so
 * (`upToDate`); if it still has the changes since, it sends just those (a delta); otherwise the
 * status part, which replaces every seat the page shows at an older version. Nothing is missed
 * while away, and a reconnect costs almost nothing.
 */
function subscribe(): void {
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

/** What a map or status part says of a seat, unless the page shows a newer change of it. */
function replaceSeat(seatId: string, status: Seat['status'], holdExpiresAt: string | null, version: number): void {
  const known = state.seats.get(seatId);
  if (!known || (state.seatVersions.get(seatId) ?? 0) >= version) return;
  known.status = status;
  known.holdExpiresAt = holdExpiresAt;
  state.seatVersions.set(seatId, version);
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

loadShows().catch(() => say(UNAVAILABLE, 'error'));
