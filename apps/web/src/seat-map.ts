import { formatPrice, type Seat, type SeatMap } from './api.js';
import { refreshAreasSoon, renderAreas } from './areas.js';
import { CATEGORY_COLOURS, elements, type SeatChange, say, state } from './page.js';

// --- the seat map ---

export function buildMap(map: SeatMap): void {
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

function seatState(seat: Seat): 'available' | 'selected' | 'mine' | 'held' | 'booked' | 'blocked' {
  if (state.mine.has(seat.id) && seat.status === 'HELD') return 'mine';
  if (state.selected.has(seat.id)) return 'selected';
  if (seat.status === 'BOOKED') return 'booked';
  if (seat.status === 'BLOCKED') return 'blocked';
  if (seat.status === 'HELD') return 'held';
  return 'available';
}

const DESCRIPTIONS = {
  available: 'free',
  selected: 'selected by you',
  mine: 'held by you',
  held: 'held by someone',
  booked: 'sold',
  blocked: 'not for sale',
};
/** What someone else's status is called. */
const STATUS_WORDS = { AVAILABLE: 'free', HELD: 'held by someone', BOOKED: 'sold', BLOCKED: 'not for sale' };

export function renderSeat(seatId: string): void {
  const seat = state.seats.get(seatId);
  const button = state.buttons.get(seatId);
  if (!seat || !button) return;
  const look = seatState(seat);
  button.dataset.state = look;
  button.dataset.status = seat.status;
  // A seat you picked that someone else has taken meanwhile stays picked, marked as taken.
  button.dataset.taken = String(look === 'selected' && seat.status !== 'AVAILABLE');
  const taken = button.dataset.taken === 'true' ? `, now ${STATUS_WORDS[seat.status]}` : '';
  const name = `Seat ${seat.label}${seat.section && state.sections.has(seat.section) ? ` (${state.sections.get(seat.section)})` : ''}`;
  const category = seat.category ? state.categories.get(seat.category) : undefined;
  const price = category ? `, ${category.label} ${category.price}` : '';
  button.setAttribute('aria-label', `${name}, ${DESCRIPTIONS[look]}${taken}${price}`);
  button.title = `${name}${category ? ` · ${category.label} · ${category.price}` : ''}`;
  button.setAttribute('aria-pressed', String(look === 'selected'));
  button.setAttribute('aria-disabled', String(look === 'held' || look === 'booked' || look === 'blocked'));
}

export function renderAll(): void {
  for (const seatId of state.seats.keys()) renderSeat(seatId);
  renderActions();
}

export function renderActions(): void {
  elements.hold.disabled = state.busy || state.selected.size === 0;
  elements.book.disabled = state.busy || state.mine.size === 0;
  elements.release.disabled = state.busy || state.mine.size === 0;
  elements.extend.hidden = state.mine.size === 0;
  elements.extend.disabled = state.busy;
  elements.bestHold.disabled = state.busy;
  renderAreas();
  elements.hold.textContent = state.selected.size
    ? `Hold ${state.selected.size} seat${state.selected.size > 1 ? 's' : ''}`
    : 'Hold selected';
}

function toggle(seatId: string): void {
  const seat = state.seats.get(seatId);
  if (!seat || state.mine.has(seatId)) return;
  if (state.selected.has(seatId)) state.selected.delete(seatId);
  else if (seat.status === 'AVAILABLE') state.selected.add(seatId);
  else return say(`${seat.label} is ${seat.status === 'HELD' ? 'held by someone else' : STATUS_WORDS[seat.status]}.`);
  renderSeat(seatId);
  renderActions();
}

/** Applies each change to a seat the page shows at an older version than the change's (events may arrive out of order). */
export function applyChanges(changes: SeatChange[]): void {
  for (const change of changes) {
    const seat = state.seats.get(change.seatId);
    if (!seat) {
      placeChanged(change);
      continue;
    }
    if (change.version <= (state.seatVersions.get(change.seatId) ?? 0)) continue;
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

/** A change of a place of a standing area: the counts are read again; a hold of mine may have ended. */
function placeChanged(change: SeatChange): void {
  refreshAreasSoon();
  if (!state.mine.has(change.seatId)) return;
  if (change.status === 'HELD' && change.holdExpiresAt) state.mine.set(change.seatId, Date.parse(change.holdExpiresAt));
  else if (change.status !== 'HELD') {
    state.mine.delete(change.seatId);
    if (change.status === 'AVAILABLE') say(`Your hold on ${state.places.get(change.seatId) ?? 'a place'} expired.`, 'error');
  }
}

/** What a map or status part says of a seat, unless the page shows a newer change of it. */
export function replaceSeat(seatId: string, status: Seat['status'], holdExpiresAt: string | null, version: number): void {
  const known = state.seats.get(seatId);
  if (!known || (state.seatVersions.get(seatId) ?? 0) >= version) return;
  known.status = status;
  known.holdExpiresAt = holdExpiresAt;
  state.seatVersions.set(seatId, version);
}
