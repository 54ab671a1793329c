import { hasControlCharacters, InvalidRequestError } from '@app/common';
import { MAX_SEATS_PER_REQUEST } from '@app/config';
import type { LayoutRow, LayoutSection, Price, ShowLayout } from '@app/db';
import { randomBytes } from 'node:crypto';

/** Limits of a show definition (the contract's, and a few of our own against hostile bodies). */
export const SHOW_LIMITS = {
  seats: 100_000,
  sections: 1_000,
  rowsPerSection: 1_000,
  categories: 100,
  textLength: 200,
  perCustomer: 100_000,
  priceAmount: 100_000_000_00,
} as const;

const SHOW_ID = /^[a-z0-9-]{1,64}$/;
const KEY = /^[a-z0-9-]{1,32}$/;
const LABEL = /^[A-Za-z0-9.-]{1,8}$/;
/** RFC 3339 date-time with an explicit offset: no local times, no bare dates. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export interface ShowPatch {
  title?: string;
  venue?: string;
  startsAt?: Date;
  salesOpenAt?: Date;
  salesCloseAt?: Date;
  /** A member given replaces that member; `null` puts it back to its default. */
  limits?: { perOrder?: number | null; perCustomer?: number | null };
}

const fail = (detail: string): never => {
  throw new InvalidRequestError(`${detail} Nothing was changed.`);
};

type Json = Record<string, unknown>;

function object(value: unknown, path: string, allowed: readonly string[]): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${path} must be an object.`);
  const unknown = Object.keys(value as Json).filter((key) => !allowed.includes(key));
  if (unknown.length > 0)
    fail(
      `${path} has unknown propert${unknown.length === 1 ? 'y' : 'ies'} ${unknown
        .slice(0, 3)
        .map((key) => JSON.stringify(key.slice(0, 40)))
        .join(', ')}.`,
    );
  return value as Json;
}

function array(value: unknown, path: string, min: number, max: number): unknown[] {
  if (!Array.isArray(value)) fail(`${path} must be an array.`);
  const items = value as unknown[];
  if (items.length < min) fail(`${path} must have at least ${min} item${min === 1 ? '' : 's'}.`);
  if (items.length > max) fail(`${path} may have at most ${max} items.`);
  return items;
}

function text(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.trim().length === 0) fail(`${path} must be a non-empty string.`);
  const string = value as string;
  if (string.length > SHOW_LIMITS.textLength) fail(`${path} may be at most ${SHOW_LIMITS.textLength} characters.`);
  if (hasControlCharacters(string)) fail(`${path} must not contain control characters.`);
  return string;
}

function matching(value: unknown, path: string, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) fail(`${path} must be ${what} (got ${describe(value)}).`);
  return value as string;
}

function instant(value: unknown, path: string): Date {
  if (typeof value !== 'string' || !INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
    fail(`${path} must be an ISO 8601 instant with a time zone, like 2027-03-14T19:30:00Z (got ${describe(value)}).`);
  }
  const date = new Date(value as string);
  if (date.getUTCFullYear() < 1970 || date.getUTCFullYear() > 9999) fail(`${path} must be between the years 1970 and 9999.`);
  return date;
}

function integer(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`${path} must be an integer from ${min} to ${max} (got ${describe(value)}).`);
  }
  return value as number;
}

function describe(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > 40 ? `${json.slice(0, 40)}…` : json;
}

function price(value: unknown, path: string): Price | null {
  if (value === null) return null;
  const body = object(value, path, ['amount', 'currency']);
  const amount = integer(body.amount, `${path}.amount`, 0, SHOW_LIMITS.priceAmount);
  const currency = matching(body.currency, `${path}.currency`, /^[A-Z]{3}$/, 'an ISO 4217 currency code like EUR');
  if (!CURRENCIES.has(currency)) fail(`${path}.currency "${currency}" is not an ISO 4217 currency.`);
  return { amount, currency };
}

const LABEL_RULE = '1 to 8 letters, digits, "-" or "."';

function limits(value: unknown, path: string): { perOrder?: number | null; perCustomer?: number | null } {
  const body = object(value, path, ['perOrder', 'perCustomer']);
  const result: { perOrder?: number | null; perCustomer?: number | null } = {};
  if (body.perOrder !== undefined)
    result.perOrder = body.perOrder === null ? null : integer(body.perOrder, `${path}.perOrder`, 1, MAX_SEATS_PER_REQUEST);
  if (body.perCustomer !== undefined)
    result.perCustomer = body.perCustomer === null ? null : integer(body.perCustomer, `${path}.perCustomer`, 1, SHOW_LIMITS.perCustomer);
  return result;
}

function window(open: Date, close: Date): void {
  if (close.getTime() <= open.getTime()) fail(`salesCloseAt (${close.toISOString()}) must be after salesOpenAt (${open.toISOString()}).`);
}

/** A readable id from the title, made unique by a random suffix: `neon-nights-3f9a1c`. */
function generatedId(title: string): string {
  const slug = title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return `${slug || 'show'}-${randomBytes(3).toString('hex')}`;
}

/**
 * Validates an admin's show definition (`POST /api/admin/shows`) into the layout to store. Every
 * refusal is a 400 whose detail names the offending item (`sections[1].rows[3] ("AA"): …`).
 * Walks the body once and stops at the first problem, counting seats as it goes, so a hostile
 * body costs no more than its size.
 */
export function parseShowDefinition(body: unknown, now: Date): ShowLayout {
  const show = object(body, 'The show', [
    'id',
    'title',
    'venue',
    'startsAt',
    'salesOpenAt',
    'salesCloseAt',
    'limits',
    'categories',
    'sections',
  ]);
  const title = text(show.title, 'title');
  let id: string;
  if (show.id === undefined) id = generatedId(title);
  else {
    id = matching(show.id, 'id', SHOW_ID, '1 to 64 of a-z, 0-9 and "-"');
    if (id === 'shows') fail('id "shows" is reserved (it is the path of the show list).');
  }
  const venue = show.venue === undefined ? '' : text(show.venue, 'venue');
  const startsAt = instant(show.startsAt, 'startsAt');
  const salesOpenAt = show.salesOpenAt === undefined ? now : instant(show.salesOpenAt, 'salesOpenAt');
  const salesCloseAt = show.salesCloseAt === undefined ? startsAt : instant(show.salesCloseAt, 'salesCloseAt');
  window(salesOpenAt, salesCloseAt);
  const given = show.limits === undefined ? {} : limits(show.limits, 'limits');

  const categories = array(show.categories ?? [], 'categories', 0, SHOW_LIMITS.categories).map((value, i) => {
    const path = `categories[${i}]`;
    const category = object(value, path, ['key', 'label', 'price']);
    const key = matching(category.key, `${path}.key`, KEY, '1 to 32 of a-z, 0-9 and "-"');
    return {
      key,
      label: category.label === undefined ? key : text(category.label, `${path}.label`),
      price: category.price === undefined ? null : price(category.price, `${path}.price`),
    };
  });
  const categoryKeys = new Set<string>();
  categories.forEach((category, i) => {
    if (categoryKeys.has(category.key)) fail(`categories[${i}]: duplicate category key "${category.key}".`);
    categoryKeys.add(category.key);
  });

  let seatCount = 0;
  const sectionKeys = new Set<string>();
  const sections = array(show.sections, 'sections', 1, SHOW_LIMITS.sections).map((value, s): LayoutSection => {
    const path = `sections[${s}]`;
    const section = object(value, path, ['key', 'label', 'rows']);
    const key = matching(section.key, `${path}.key`, KEY, '1 to 32 of a-z, 0-9 and "-"');
    if (sectionKeys.has(key)) fail(`${path}: duplicate section key "${key}".`);
    sectionKeys.add(key);
    const label = section.label === undefined ? key : text(section.label, `${path}.label`);
    const rowLabels = new Set<string>();
    const rows = array(section.rows, `${path}.rows`, 1, SHOW_LIMITS.rowsPerSection).map((value, r): LayoutRow => {
      let rowPath = `${path}.rows[${r}]`;
      const row = object(value, rowPath, ['label', 'seats', 'category']);
      const rowLabel = matching(row.label, `${rowPath}.label`, LABEL, LABEL_RULE);
      rowPath = `${rowPath} ("${rowLabel}")`;
      if (rowLabels.has(rowLabel)) fail(`${rowPath}: duplicate row label in section "${key}".`);
      rowLabels.add(rowLabel);
      let category: string | null = null;
      if (row.category !== undefined && row.category !== null) {
        category = matching(row.category, `${rowPath}.category`, KEY, 'a category key');
        if (!categoryKeys.has(category)) fail(`${rowPath}: unknown category "${category}".`);
      }
      let seats: number | string[];
      if (typeof row.seats === 'number') {
        if (row.seats === 0) fail(`${rowPath}: a row needs at least one seat.`);
        seats = integer(row.seats, `${rowPath}.seats`, 1, SHOW_LIMITS.seats);
        seatCount += seats;
      } else if (Array.isArray(row.seats)) {
        if (row.seats.length === 0) fail(`${rowPath}: a row needs at least one seat.`);
        if (seatCount + row.seats.length > SHOW_LIMITS.seats)
          fail(`A show may have at most ${SHOW_LIMITS.seats} seats; ${rowPath} goes past that.`);
        const seen = new Set<string>();
        seats = row.seats.map((seat, n) => {
          const seatLabel = matching(seat, `${rowPath}.seats[${n}]`, LABEL, LABEL_RULE);
          if (seen.has(seatLabel)) fail(`${rowPath}: duplicate seat label "${seatLabel}".`);
          seen.add(seatLabel);
          return seatLabel;
        });
        seatCount += seats.length;
      } else {
        return fail(`${rowPath}.seats must be a number of seats or a list of seat labels.`);
      }
      if (seatCount > SHOW_LIMITS.seats) fail(`A show may have at most ${SHOW_LIMITS.seats} seats; ${rowPath} goes past that.`);
      return { label: rowLabel, seats, category };
    });
    return { key, label, rows };
  });

  return {
    id,
    title,
    venue,
    startsAt,
    salesOpenAt,
    salesCloseAt,
    perOrder: given.perOrder ?? MAX_SEATS_PER_REQUEST,
    perCustomer: given.perCustomer ?? null,
    categories,
    sections,
  };
}

const LAYOUT_KEYS = ['id', 'categories', 'sections'];

/** Validates `PATCH /api/admin/shows/{id}`: only these members; the layout never changes. */
export function parseShowPatch(body: unknown): ShowPatch {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const layout = Object.keys(body).filter((key) => LAYOUT_KEYS.includes(key));
    if (layout.length > 0) fail(`${layout.join(', ')} cannot change after a show is created.`);
  }
  const patch = object(body, 'The patch', ['title', 'venue', 'startsAt', 'salesOpenAt', 'salesCloseAt', 'limits']);
  const result: ShowPatch = {};
  if (patch.title !== undefined) result.title = text(patch.title, 'title');
  if (patch.venue !== undefined) result.venue = text(patch.venue, 'venue');
  if (patch.startsAt !== undefined) result.startsAt = instant(patch.startsAt, 'startsAt');
  if (patch.salesOpenAt !== undefined) result.salesOpenAt = instant(patch.salesOpenAt, 'salesOpenAt');
  if (patch.salesCloseAt !== undefined) result.salesCloseAt = instant(patch.salesCloseAt, 'salesCloseAt');
  if (patch.limits !== undefined) result.limits = limits(patch.limits, 'limits');
  return result;
}

/** The show after a patch, checked as a whole (the window must still open before it closes). */
export function applyPatch<T extends { salesOpenAt: Date; salesCloseAt: Date; perOrder: number; perCustomer: number | null }>(
  show: T,
  patch: ShowPatch,
): T {
  const { limits: newLimits, ...fields } = patch;
  const next = { ...show, ...fields };
  if (newLimits?.perOrder !== undefined) next.perOrder = newLimits.perOrder ?? MAX_SEATS_PER_REQUEST;
  if (newLimits?.perCustomer !== undefined) next.perCustomer = newLimits.perCustomer;
  window(next.salesOpenAt, next.salesCloseAt);
  return next;
}
