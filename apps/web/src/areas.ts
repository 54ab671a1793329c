import { type AreaCounts, getJson, type SeatStatuses } from './api.js';
import { elements, state } from './page.js';
import { redrawAreas } from './seat-map.js';

/**
 * The standing areas' counts. The live feed names places by id, and the page does not know
 * which places are free, only how many: so it reads the counts again from the status part.
 */

/** The free count of each area, as last read. */
export function renderAreas(): void {
  for (const item of elements.areaList.querySelectorAll<HTMLLIElement>('li[data-area]')) {
    const area = state.areas.get(item.dataset.area!);
    if (!area) continue;
    const category = area.category ? state.categories.get(area.category) : undefined;
    const free = `${area.available.toLocaleString()} of ${area.capacity.toLocaleString()} places free`;
    item.querySelector('.area-free')!.textContent = `${category ? `${category.price} · ` : ''}${free}`;
    item.dataset.soldOut = String(area.available === 0);
    item.querySelector('button')!.disabled = state.busy || area.available === 0;
  }
}

/** Applies the area counts of a status part (or of the full map's areas). */
export function updateAreaCounts(counts: Record<string, AreaCounts> | undefined): void {
  if (!counts) return;
  for (const [key, value] of Object.entries(counts)) {
    const area = state.areas.get(key);
    if (area) Object.assign(area, value);
  }
  renderAreas();
  redrawAreas();
}

let refreshing: ReturnType<typeof setTimeout> | undefined;

/** Reads the areas' counts again, at most every half second. */
export function refreshAreasSoon(): void {
  if (state.areas.size === 0 || refreshing) return;
  refreshing = setTimeout(() => {
    refreshing = undefined;
    void refreshAreas();
  }, 500);
}

export async function refreshAreas(): Promise<void> {
  const showId = state.showId;
  if (!showId || state.areas.size === 0) return;
  const statuses = await getJson<SeatStatuses>(`api/seats/${encodeURIComponent(showId)}/status`).catch(() => undefined);
  if (statuses && showId === state.showId) updateAreaCounts(statuses.areas);
}
