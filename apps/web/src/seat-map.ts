import { type Area, formatPrice, type Seat, type SeatMap } from './api.js';
import { refreshAreasSoon, renderAreas } from './areas.js';
import { CanvasMap, type Look, swatch } from './canvas-map.js';
import { CATEGORY_COLOURS, elements, type SeatChange, say, state } from './page.js';
import { layOut } from './venue-layout.js';

// --- the seat map ---

let view: CanvasMap | undefined;
/** Seat id → its place in the layout (and in the renderer's geometry). */
const indexOf = new Map<string, number>();
let order: Seat[] = [];

export function buildMap(map: SeatMap, areas: Area[] = []): void {
  state.seats = new Map(map.seats.map((seat) => [seat.id, seat]));
  state.mapVersion = map.version;
  state.seatVersions = new Map(map.seats.map((seat) => [seat.id, map.version]));
  order = map.seats;
  indexOf.clear();
  map.seats.forEach((seat, i) => indexOf.set(seat.id, i));
  state.categories = new Map(
    map.categories.map((category, i) => [
      category.key,
      { label: category.label, price: formatPrice(category.price), colour: CATEGORY_COLOURS[i % CATEGORY_COLOURS.length] },
    ]),
  );
  state.sections = new Map(map.sections.length > 1 ? map.sections.map((section) => [section.key, section.label]) : []);
  availableLooks = new Map([...state.categories].map(([key, { colour }]) => [key, { fill: colour, mark: 'none', ink: '#ffffff' }]));
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
  view?.destroy();
  const geometry = layOut({
    showId: map.showId,
    layoutVersion: '',
    sections: map.sections,
    categories: map.categories,
    seats: map.seats,
    areas,
  });
  view = new CanvasMap(elements.map, {
    geometry,
    lookOf: (i) => lookOf(order[i]),
    shortLabel: (i) => order[i].label.slice(order[i].row.length) || String(order[i].number),
    areaText: (key) => {
      const area = state.areas.get(key);
      return area ? `${area.available.toLocaleString()} of ${area.capacity.toLocaleString()} free` : '';
    },
    onSeat: (i) => toggle(order[i].id),
    onFocus: (i) => announce(order[i].id),
    onArea: (key) => {
      const input = elements.areaList.querySelector<HTMLInputElement>(`li[data-area="${CSS.escape(key)}"] input`);
      input?.scrollIntoView({ block: 'center' });
      input?.focus();
    },
    hint: (i) => describe(order[i].id),
  });
  renderAll();
}

/** The standing areas' counts changed: their blocks are drawn again. */
export function redrawAreas(): void {
  view?.requestFull();
}

// --- how a seat looks, and what it is called ---

type SeatState = 'available' | 'selected' | 'taken' | 'mine' | 'held' | 'booked' | 'blocked';

function seatState(seat: Seat): SeatState {
  if (state.mine.has(seat.id) && seat.status === 'HELD') return 'mine';
  // A seat you picked that someone else has taken meanwhile stays picked, marked as taken.
  if (state.selected.has(seat.id)) return seat.status === 'AVAILABLE' ? 'selected' : 'taken';
  if (seat.status === 'BOOKED') return 'booked';
  if (seat.status === 'BLOCKED') return 'blocked';
  if (seat.status === 'HELD') return 'held';
  return 'available';
}

/** Every look: fills of at least 3:1 against the page, and a mark of its own besides its colour. */
const LOOKS: Record<Exclude<SeatState, 'available'>, Look> = {
  selected: { fill: '#1d1d27', mark: 'check', ring: '#2456d3', ink: '#ffffff' },
  taken: { fill: '#1d1d27', mark: 'check', ring: '#b4651a', ink: '#ffffff' },
  mine: { fill: '#1a7f4b', mark: 'star', ink: '#ffffff' },
  held: { fill: '#858592', mark: 'slash', ink: '#ffffff' },
  booked: { fill: '#45454f', mark: 'cross', ink: '#ffffff' },
  blocked: { fill: '#ededf2', outline: '#6b6b78', mark: 'dash', ink: '#1d1d27', small: '#b9b9c4' },
};
const UNCATEGORISED: Look = { fill: CATEGORY_COLOURS[0], mark: 'none', ink: '#ffffff' };
/** A free seat's look: its category's colour. */
let availableLooks = new Map<string, Look>();

function lookOf(seat: Seat): Look {
  const look = seatState(seat);
  return look === 'available' ? (seat.category && availableLooks.get(seat.category)) || UNCATEGORISED : LOOKS[look];
}

elements.legend.replaceChildren(
  ...(
    [
      ['free (in its price’s colour)', UNCATEGORISED],
      ['selected', LOOKS.selected],
      ['held by you', LOOKS.mine],
      ['held', LOOKS.held],
      ['sold', LOOKS.booked],
      ['not for sale', LOOKS.blocked],
    ] as const
  ).map(([text, look]) => {
    const item = document.createElement('li');
    item.append(swatch(look), text);
    return item;
  }),
);

const DESCRIPTIONS: Record<SeatState, string> = {
  available: 'free',
  selected: 'selected',
  taken: 'selected',
  mine: 'held by you',
  held: 'held by someone',
  booked: 'sold',
  blocked: 'not for sale',
};
/** What someone else's status is called. */
const STATUS_WORDS = { AVAILABLE: 'free', HELD: 'held by someone', BOOKED: 'sold', BLOCKED: 'not for sale' };

/** "A12, Stalls, Premium €89.00: selected": where the seat is, what it costs, how it stands for this buyer. */
export function describe(seatId: string): string {
  const seat = state.seats.get(seatId);
  if (!seat) return '';
  const look = seatState(seat);
  const section = seat.section && state.sections.has(seat.section) ? `, ${state.sections.get(seat.section)}` : '';
  const category = seat.category ? state.categories.get(seat.category) : undefined;
  const price = category ? `, ${state.categories.size > 1 ? `${category.label} ` : ''}${category.price}` : '';
  const taken = look === 'taken' ? `, now ${STATUS_WORDS[seat.status]}` : '';
  return `${seat.label}${section}${price}: ${DESCRIPTIONS[look]}${taken}`;
}

function announce(seatId: string): void {
  elements.mapStatus.textContent = describe(seatId);
}

export function renderSeat(seatId: string): void {
  const i = indexOf.get(seatId);
  if (i !== undefined) view?.invalidate(i);
}

// A handle for the browser tests (and for debugging in the console): where a seat is on screen,
// what colour is drawn there and what state that colour stands for, and the renderer's figures.
const handle = ((window as unknown as { seatBooking?: Record<string, unknown> }).seatBooking ??= {});
Object.assign(handle, {
  seatMap: {
    /** Where to click seat `seatId`: the window is scrolled first if the seat is out of its sight. */
    point: (seatId: string) => {
      const point = view!.pointOf(indexOf.get(seatId)!);
      if (point.y > 8 && point.y < window.innerHeight - 8) return point;
      window.scrollBy(0, point.y - window.innerHeight / 2);
      return view!.pointOf(indexOf.get(seatId)!);
    },
    drawn: (seatId: string) => {
      const colour = view!.colourAt(indexOf.get(seatId)!);
      const named = Object.entries(LOOKS).find(([, look]) => look.fill === colour || look.small === colour)?.[0];
      return named === 'taken'
        ? 'selected'
        : (named ?? ([...availableLooks.values(), UNCATEGORISED].some((look) => look.fill === colour) ? 'available' : colour));
    },
    describe,
    metrics: () => view?.metrics,
    focused: () => (view && view.focusedSeat >= 0 ? order[view.focusedSeat].id : null),
    zoomTo: (seatId: string) => view?.focus(indexOf.get(seatId)!),
    fit: () => view?.fit(),
  },
});

export function renderAll(): void {
  view?.requestFull();
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
  announce(seatId);
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
