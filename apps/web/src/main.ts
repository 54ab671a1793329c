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
      button.addEventListener('click', () => void openShow(show.id, show.title, show.limits?.perOrder ?? 8));
      item.append(button);
      return item;
    }),
  );
  const wanted = new URLSearchParams(location.search).get('show');
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
  const path = `api/seats/${encodeURIComponent(showId)}`;
  const [layout, statuses] = await Promise.all([getJson<ShowLayout>(`${path}/layout`), getJson<SeatStatuses>(`${path}/status`)]);
  buildMap({
    showId,
    version: statuses.version,
    sections: layout.sections,
    categories: layout.categories,
    seats: layout.seats.map((seat, i) => ({ ...seat, status: STATUS_OF_CODE[statuses.statuses[i]] ?? 'BOOKED', holdExpiresAt: null })),
  });
  setUpSelling(layout, statuses, perOrder);
  subscribe();
  void loadBookings();
}

setInterval(tick, 250);

loadShows().catch(() => say(UNAVAILABLE, 'error'));
