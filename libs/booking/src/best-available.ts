/**
 * Best available: which free seats to offer for "N seats, best you have". Pure: it reads a show's
 * rows (from its layout, which never changes) and the status codes of a snapshot; the hold that
 * follows is an ordinary hold, so the database still decides.
 *
 * "Best" is earliest in layout order (sections as given, rows as given), then nearest the middle
 * of the row. The rules, each tried over every row before the next:
 * 1. seats next to each other in one row (consecutive numbers) that strand no single free seat
 *    between them and a taken seat, a blocked seat or the row's end (or a gap in the numbers);
 * 2. seats next to each other in one row;
 * 3. unless `together`: the best free seats anywhere.
 *
 * A general-admission area is one row of places, chosen only when `sections` names it. Its places
 * are all alike, so there is no middle: the choice starts at `spread` (a fraction of the area,
 * random per request) and takes the first free block from there, so concurrent buyers do not all
 * race for the same places.
 */

/** One seat of a row: its position in the layout (and in the status codes), its number, its category. */
export interface RowSeat {
  index: number;
  id: string;
  number: number;
  category: string | null;
}

export interface Row {
  section: string | null;
  /** True for the places of a general-admission area. */
  area?: boolean;
  /** In number order. */
  seats: RowSeat[];
}

export interface BestRequest {
  quantity: number;
  categories?: readonly string[];
  sections?: readonly string[];
  together?: boolean;
  /** Where in an area the choice starts, as a fraction in [0, 1) (default 0). */
  spread?: number;
}

export interface BestChoice {
  seatIds: string[];
  /** True when the seats are next to each other in one row. */
  together: boolean;
}

/** The rows of a layout, in layout order: seats grouped by section and row, each row by number. */
export function rowsOf(
  seats: readonly { id: string; row: string; number: number; section: string | null; category: string | null }[],
): Row[] {
  const rows = new Map<string, Row>();
  seats.forEach((seat, index) => {
    const key = `${seat.section ?? ''}\u0000${seat.row}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { section: seat.section, seats: [] }));
    row.seats.push({ index, id: seat.id, number: seat.number, category: seat.category });
  });
  for (const row of rows.values()) row.seats.sort((a, b) => a.number - b.number);
  return [...rows.values()];
}

/**
 * The best choice for `request`, or undefined when the free seats cannot satisfy it. `isFree(i)`
 * says whether the seat at layout position `i` may be offered (free now and not being taken by
 * another request of this instance).
 */
export function chooseBest(rows: readonly Row[], isFree: (index: number) => boolean, request: BestRequest): BestChoice | undefined {
  const { quantity } = request;
  const sections = request.sections && new Set(request.sections);
  const categories = request.categories && new Set(request.categories);
  const chosenRows = rows.filter((row) => (sections ? sections.has(row.section ?? '') : !row.area));
  const eligible = (seat: RowSeat) => isFree(seat.index) && (!categories || categories.has(seat.category ?? ''));
  const spread = (row: Row) => Math.floor((request.spread ?? 0) * row.seats.length) % Math.max(row.seats.length, 1);

  for (const strandingAllowed of [false, true]) {
    for (const row of chosenRows) {
      if (row.area) {
        // Nobody is stranded on a standing floor: one try, with the first rule.
        const block = strandingAllowed ? undefined : areaBlock(row, quantity, eligible, spread(row));
        if (block) return { seatIds: block.map((seat) => seat.id), together: true };
        continue;
      }
      const start = bestBlock(row, quantity, eligible, isFree, strandingAllowed);
      if (start !== undefined) return { seatIds: row.seats.slice(start, start + quantity).map((seat) => seat.id), together: true };
    }
  }
  if (request.together) return undefined;

  const picked: RowSeat[][] = [];
  let count = 0;
  for (const row of chosenRows) {
    if (count === quantity) break;
    const middle = (row.seats.length - 1) / 2;
    const start = spread(row);
    const length = row.seats.length;
    const free: { seat: RowSeat; distance: number }[] = [];
    row.seats.forEach((seat, position) => {
      if (eligible(seat)) free.push({ seat, distance: row.area ? (position - start + length) % length : Math.abs(position - middle) });
    });
    if (free.length === 0) continue;
    free.sort((a, b) => a.distance - b.distance);
    const best = free.slice(0, quantity - count).map(({ seat }) => seat);
    picked.push(best);
    count += best.length;
  }
  if (count < quantity) return undefined;
  const together = picked.length === 1 && isBlock(picked[0].slice().sort((a, b) => a.number - b.number));
  return { seatIds: picked.flat().map((seat) => seat.id), together };
}

const isBlock = (seats: readonly RowSeat[]) => seats.every((seat, i) => i === 0 || seat.number === seats[i - 1].number + 1);

/** The first `quantity` free places in a row, one after the other, at or after `start` (wrapping round). */
function areaBlock(row: Row, quantity: number, eligible: (seat: RowSeat) => boolean, start: number): RowSeat[] | undefined {
  const { seats } = row;
  let run = 0;
  // Twice round, so that a block across the end (taken from the start again) is found too.
  for (let step = 0; step < seats.length + quantity; step++) {
    const position = (start + step) % seats.length;
    const seat = seats[position];
    run =
      eligible(seat) && (run === 0 || (position > 0 && seat.number === seats[position - 1].number + 1)) ? run + 1 : eligible(seat) ? 1 : 0;
    if (run === quantity) return seats.slice(position - quantity + 1, position + 1);
  }
  return undefined;
}

/** The start (position in the row) of the block nearest the row's middle, earliest on a tie. */
function bestBlock(
  row: Row,
  quantity: number,
  eligible: (seat: RowSeat) => boolean,
  isFree: (index: number) => boolean,
  strandingAllowed: boolean,
): number | undefined {
  const { seats } = row;
  const middle = (seats.length - 1) / 2;
  let best: number | undefined;
  let bestDistance = Infinity;
  // A free seat next to the block (by number) is stranded when the seat beyond it is taken,
  // blocked, missing or the row's end.
  const adjacent = (a: RowSeat | undefined, b: RowSeat | undefined) =>
    a !== undefined && b !== undefined && Math.abs(a.number - b.number) === 1;
  const stranded = (neighbour: number, beyond: number, edge: number) =>
    adjacent(seats[neighbour], seats[edge]) &&
    isFree(seats[neighbour].index) &&
    !(adjacent(seats[beyond], seats[neighbour]) && isFree(seats[beyond].index));
  let run = 0; // eligible consecutive seats ending at position `end`
  for (let end = 0; end < seats.length; end++) {
    run = eligible(seats[end]) && (run === 0 || seats[end].number === seats[end - 1].number + 1) ? run + 1 : eligible(seats[end]) ? 1 : 0;
    if (run < quantity) continue;
    const start = end - quantity + 1;
    if (!strandingAllowed && (stranded(start - 1, start - 2, start) || stranded(end + 1, end + 2, end))) continue;
    const distance = Math.abs(start + (quantity - 1) / 2 - middle);
    if (distance < bestDistance) {
      best = start;
      bestDistance = distance;
    }
  }
  return best;
}
