import { getJson, type Prefetched, randomId, type SeatStatuses, STATUS_OF_CODE, type ShowLayout, type ShowSummary } from './api.js';
import { loadBookings, tick } from './actions.js';
import { setLimits, setUpSelling } from './selling.js';
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

/** A show's layout and status part, fetched together (or taken from requests already started). */
function fetchShow(showId: string, started?: Prefetched): Promise<[ShowLayout, SeatStatuses]> {
  const path = `api/seats/${encodeURIComponent(showId)}`;
  return Promise.all([getJson<ShowLayout>(`${path}/layout`, started?.layout), getJson<SeatStatuses>(`${path}/status`, started?.status)]);
}

async function loadShows(): Promise<void> {
  // The page's head started these requests before this code arrived (none when it did not run).
  const prefetched = (window as unknown as { seatBookingPrefetch?: Prefetched }).seatBookingPrefetch;
  const wanted = new URLSearchParams(location.search).get('show');
  const list = getJson<ShowSummary[]>('api/seats/shows', prefetched?.shows);
  // The show named in the address is drawn as soon as its layout and status arrive; the list of
  // shows, the slowest of the first answers, fills in its title and limits when it comes.
  const opening = wanted
    ? openShow(
        wanted,
        list.then((shows) => shows.find((show) => show.id === wanted)),
        prefetched?.show === wanted ? prefetched : undefined,
      )
    : undefined;
  if (!opening) {
    const shows = await list;
    showList(shows);
    if (shows[0]) await openShow(shows[0].id, Promise.resolve(shows[0]));
    return;
  }
  // The list waits for the map's first frame: formatting its dates is the first use of the
  // browser's date formatting, which takes tens of milliseconds to start.
  try {
    await opening;
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
  } finally {
    showList(await list);
  }
}

/** When each show starts, in the buyer's language and time zone. */
let startFormat: Intl.DateTimeFormat | undefined;

function showList(shows: ShowSummary[]): void {
  startFormat ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  elements.shows.replaceChildren(
    ...shows.map((show) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.showId = show.id;
      button.innerHTML = `<strong></strong><small></small>`;
      button.querySelector('strong')!.textContent = show.title;
      button.querySelector('small')!.textContent =
        `${startFormat!.format(new Date(show.startsAt))} · ${show.availableSeats} of ${show.totalSeats} free`;
      button.addEventListener('click', () => void openShow(show.id, Promise.resolve(show)));
      item.append(button);
      return item;
    }),
  );
  markCurrentShow();
}

function markCurrentShow(): void {
  for (const button of elements.shows.querySelectorAll('button'))
    button.setAttribute('aria-current', String(button.dataset.showId === state.showId));
}

/** Opens a show: its map as soon as its layout and status are here, its title and limits from its summary. */
async function openShow(showId: string, summary: Promise<ShowSummary | undefined>, started?: Prefetched): Promise<void> {
  state.showId = showId;
  state.selected.clear();
  state.mine.clear();
  history.replaceState(null, '', `?show=${encodeURIComponent(showId)}`);
  markCurrentShow();
  elements.title.textContent = '';
  elements.show.hidden = false;
  delete elements.show.dataset.missing;
  say('');
  void summary.then((show) => {
    if (!show || state.showId !== showId) return;
    elements.title.textContent = show.title;
    setLimits(show.limits?.perOrder ?? 8);
  });
  // The layout never changes (the browser keeps it and revalidates it for a 304); the status part
  // is one character per seat, and the live feed keeps it current from there.
  let layout: ShowLayout;
  let statuses: SeatStatuses;
  try {
    [layout, statuses] = await fetchShow(showId, started);
  } catch (error) {
    if ((await summary.catch(() => null)) !== undefined) throw error;
    if (state.showId !== showId) return;
    elements.title.textContent = 'Show not found';
    elements.show.dataset.missing = 'true'; // only the title and the message show
    say(`There is no show "${showId}".`, 'error');
    return;
  }
  if (state.showId !== showId) return; // another show was opened meanwhile
  setUpSelling(layout, statuses);
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
  followLive();
  void loadBookings();
}

/**
 * The live feed's code (the socket.io client, a third of the page's script) is fetched once the
 * first map is drawn, and the feed followed from the version drawn: the first drawing waits for
 * neither its code nor its connection.
 */
let live: Promise<typeof import('./live.js')> | undefined;

function followLive(): void {
  live ??= import('./live.js');
  live.then(
    (feed) => {
      feed.connectLive();
      feed.subscribe();
    },
    () => {
      live = undefined; // tried again when a show is opened
      elements.live.textContent = 'Live updates could not start; opening a show tries again.';
    },
  );
}

setInterval(tick, 250);

loadShows().catch(() => say(UNAVAILABLE, 'error'));
