import { formatPrice, type Hold, type SeatStatuses, type ShowLayout } from './api.js';
import { refreshAreas, renderAreas } from './areas.js';
import { act, holdGranted, reportFailure, tick } from './actions.js';
import { elements, list, say, state, userId, writer } from './page.js';
import { renderActions } from './seat-map.js';

/**
 * Selling beyond one click: best available ("N seats, best you have"), places on a standing floor
 * (general-admission areas, sold by quantity), and extending a hold at the payment page.
 */

/** The show's limit of seats per order, in the best-available form. */
export function setLimits(perOrder: number): void {
  state.perOrder = perOrder;
  elements.bestQuantity.max = String(perOrder);
  elements.bestQuantity.value = String(Math.min(2, perOrder));
}

/** Sets the page up for a show: its categories in the best-available form, its areas with their counts. */
export function setUpSelling(layout: ShowLayout, statuses: SeatStatuses): void {
  elements.bestCategory.replaceChildren(
    new Option('any category', ''),
    ...layout.categories.map((category) => new Option(`${category.label} (${formatPrice(category.price)})`, category.key)),
  );
  // A show with only standing areas has no seats to choose from.
  elements.best.hidden = layout.seats.length === 0;
  state.areas = new Map(
    (layout.areas ?? []).map((area) => [area.key, { ...area, ...(statuses.areas?.[area.key] ?? { available: 0, held: 0, booked: 0 }) }]),
  );
  state.places.clear();
  buildAreas();
}

// --- best available ---

elements.best.addEventListener('submit', (event) => {
  event.preventDefault();
  const quantity = Number(elements.bestQuantity.value);
  const category = elements.bestCategory.value;
  const together = elements.bestTogether.checked;
  void act(elements.bestHold, async () => {
    const body = { showId: state.showId, userId: userId(), quantity, together, ...(category ? { categories: [category] } : {}) };
    const outcome = await writer.post<Hold>('api/seats/hold-best', body);
    if (outcome.kind === 'ok') {
      holdGranted(outcome.body);
      const where = outcome.body.together ? 'side by side' : 'the best free seats, not all side by side';
      say(`Held ${list(outcome.body.seatIds)} (${where}). Book them before the countdown ends.`, 'ok');
    } else if (outcome.kind === 'rejected' && outcome.status === 409) {
      say(`${outcome.detail} Try fewer seats${together ? ', or let them be apart' : ''}.`, 'error');
    } else reportFailure(outcome, state.selected);
  });
});

// --- standing areas ---

const placeName = (areaLabel: string, placeId: string) => `${areaLabel} place ${placeId.slice(placeId.lastIndexOf('_') + 1)}`;

function buildAreas(): void {
  elements.areas.hidden = state.areas.size === 0;
  elements.areaList.replaceChildren(
    ...[...state.areas.values()].map((area) => {
      const item = document.createElement('li');
      item.className = 'area';
      item.dataset.area = area.key;
      const category = area.category ? state.categories.get(area.category) : undefined;
      if (category) item.style.setProperty('--category', category.colour);
      const name = document.createElement('strong');
      name.textContent = area.label;
      const details = document.createElement('span');
      details.className = 'area-free';
      const quantity = document.createElement('input');
      quantity.type = 'number';
      quantity.min = '1';
      quantity.max = String(state.perOrder);
      quantity.value = '1';
      quantity.setAttribute('aria-label', `Places on ${area.label}`);
      const hold = document.createElement('button');
      hold.type = 'button';
      hold.textContent = 'Hold places';
      hold.setAttribute('aria-label', `Hold places on ${area.label}`);
      hold.addEventListener('click', () => void holdPlaces(area.key, Number(quantity.value), hold));
      item.append(name, ' ', details, quantity, hold);
      return item;
    }),
  );
  renderAreas();
}

async function holdPlaces(areaKey: string, quantity: number, button: HTMLButtonElement): Promise<void> {
  const area = state.areas.get(areaKey)!;
  await act(button, async () => {
    const body = { showId: state.showId, userId: userId(), quantity, sections: [areaKey] };
    const outcome = await writer.post<Hold>('api/seats/hold-best', body);
    if (outcome.kind === 'ok') {
      holdGranted(outcome.body, (id) => placeName(area.label, id));
      say(`Held ${quantity} place${quantity > 1 ? 's' : ''} on ${area.label}. Book them before the countdown ends.`, 'ok');
    } else if (outcome.kind === 'rejected' && outcome.status === 409) say(outcome.detail, 'error');
    else reportFailure(outcome, state.mine);
    await refreshAreas();
  });
}

// --- extending a hold ---

elements.extend.addEventListener(
  'click',
  () =>
    void act(elements.extend, async () => {
      const seatIds = [...state.mine.keys()];
      const before = Math.min(...state.mine.values());
      const outcome = await writer.post<{ expiresAt: string }>('api/seats/extend-bulk', { seatIds, userId: userId() });
      if (outcome.kind === 'ok') {
        const expiresAt = Date.parse(outcome.body.expiresAt);
        for (const id of seatIds) state.mine.set(id, Math.max(state.mine.get(id) ?? 0, expiresAt));
        const until = new Date(expiresAt).toLocaleTimeString();
        if (expiresAt <= before) say(`Your hold cannot be extended any further: it lasts until ${until}.`, 'error');
        else say(`Extended your hold on ${list(seatIds)} until ${until}.`, 'ok');
        tick();
      } else reportFailure(outcome, state.mine);
      renderActions();
    }),
);
