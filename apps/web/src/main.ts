import { getJson, randomId, type SeatStatuses, STATUS_OF_CODE, type ShowLayout, type ShowSummary } from './api.js';
import { loadBookings, tick } from './actions.js';
import { subscribe } from './live.js';
import { setUpSelling } from './selling.js';
import { elements, say, state, UNAVAILABLE } from './page.js';
import { buildMap, renderAll } from './seat-map.js';

/**
 * The seat-map page: pick a show, pick seats, hold them (with a countdown), book or release them,
 * and watch everyone else's holds, bookings and expiries arrive live over socket.io.
 * The service never says who holds a seat, so the page remembers which holds are its own.
 */

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

// --- shows ---

/** A show's layout and status part, fetched together. */
function fetchShow(showId: string): Promise<[ShowLayout, SeatStatuses]> {
  const path = `api/seats/${encodeURIComponent(showId)}`;
  return Promise.all([getJson<ShowLayout>(`${path}/layout`), getJson<SeatStatuses>(`${path}/status`)]);
}

/** The show named in the address, fetched while the list of shows is on its way. */
let early: { showId: string; data: Promise<[ShowLayout, SeatStatuses]> } | undefined;

async function loadShows(): Promise<void> {
  const wanted = new URLSearchParams(location.search).get('show');
  if (wanted) {
    early = { showId: wanted, data: fetchShow(wanted) };
    early.data.catch(() => undefined); // a show that does not exist is reported below
  }
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
      button.addEventListener('click', () => void openShow(show.id, show.title, show.limits?.perOrder ?? 8));
      item.append(button);
      return item;
    }),
  );
  const first = shows.find((show) => show.id === wanted) ?? (wanted ? undefined : shows[0]);
  if (first) await openShow(first.id, first.title, first.limits?.perOrder ?? 8);
  else if (wanted) say(`There is no show "${wanted}".`, 'error');
}

async function openShow(showId: string, title: string, perOrder: number): Promise<void> {
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
  const [layout, statuses] = await (early?.showId === showId ? early.data : fetchShow(showId));
  early = undefined;
  setUpSelling(layout, statuses, perOrder);
  buildMap(
    {
      showId,
      version: statuses.version,
      sections: layout.sections,
      categories: layout.categories,
      // The layout's seats become the page's (a stadium's 50,000 are not copied).
      seats: layout.seats.map((seat, i) =>
        Object.assign(seat, { status: STATUS_OF_CODE[statuses.statuses[i]] ?? 'BOOKED', holdExpiresAt: null }),
      ),
    },
    layout.areas,
  );
  subscribe();
  void loadBookings();
}

setInterval(tick, 250);

loadShows().catch(() => say(UNAVAILABLE, 'error'));
