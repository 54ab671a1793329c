import {
  describe,
  InvalidRequestError,
  integer,
  list,
  matching,
  pathOf,
  type StepLabel,
  strictObject,
  text,
  unknownMembers,
} from '@app/common';
import { MAX_SEATS_PER_REQUEST } from '@app/config';
import type { ShowLayout } from '@app/db';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

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

const KEY_RULE = '1 to 32 of a-z, 0-9 and "-"';
const LABEL_RULE = '1 to 8 letters, digits, "-" or "."';
const LABEL = /^[A-Za-z0-9.-]{1,8}$/;
/** RFC 3339 date-time with an explicit offset: no local times, no bare dates. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

const Key = matching(/^[a-z0-9-]{1,32}$/, KEY_RULE);
const Label = matching(LABEL, LABEL_RULE);
const Text = text(SHOW_LIMITS.textLength);

const instantRule = 'an ISO 8601 instant with a time zone, like 2027-03-14T19:30:00Z';
const Instant = matching(INSTANT, instantRule)
  .refine((value) => !Number.isNaN(Date.parse(value)), { error: (issue) => `must be ${instantRule} (got ${JSON.stringify(issue.input)})` })
  .transform((value) => new Date(value))
  .refine((date) => date.getUTCFullYear() >= 1970 && date.getUTCFullYear() <= 9999, {
    error: 'must be between the years 1970 and 9999',
  })
  .meta({ format: 'date-time', example: '2027-03-14T19:30:00Z' });

const Price = strictObject({
  amount: integer(0, SHOW_LIMITS.priceAmount).meta({ description: 'Minor units (cents)', example: 4500 }),
  currency: matching(/^[A-Z]{3}$/, 'an ISO 4217 currency code like EUR')
    .refine((code) => CURRENCIES.has(code), { error: (issue) => `"${String(issue.input)}" is not an ISO 4217 currency` })
    .meta({ example: 'EUR' }),
});

const Limits = strictObject({
  perOrder: integer(1, MAX_SEATS_PER_REQUEST)
    .nullable()
    .optional()
    .meta({ description: `Most seats per hold (default ${MAX_SEATS_PER_REQUEST}; null in a patch: back to it)` }),
  perCustomer: integer(1, SHOW_LIMITS.perCustomer)
    .nullable()
    .optional()
    .meta({ description: 'Most seats per user, held plus booked (default: no limit)' }),
});

const Category = strictObject({
  key: Key.meta({ example: 'stalls' }),
  label: Text.optional().meta({ description: 'Defaults to the key', example: 'Stalls' }),
  price: Price.nullable().optional().meta({ description: 'null: not sold at a price (complimentary)' }),
});

const seatCountRule = (issue: { input?: unknown }) => `must be an integer from 1 to ${SHOW_LIMITS.seats} (got ${describe(issue.input)})`;
const SeatCount = z
  .number({ error: seatCountRule })
  .refine((count) => count === 0 || (Number.isInteger(count) && count >= 1 && count <= SHOW_LIMITS.seats), { error: seatCountRule });
const seatsRule = 'must be a number of seats or a list of seat labels';
const Row = strictObject({
  label: Label.meta({ example: 'AA' }),
  seats: z
    .union(
      [
        // 0 and [] pass here and are refused by `checkLayout`, which names the row.
        SeatCount,
        z.array(Label).max(SHOW_LIMITS.seats, { error: `may have at most ${SHOW_LIMITS.seats} items` }),
      ],
      { error: seatsRule },
    )
    .meta({ description: 'A count (seats labelled 1…n) or the seat labels in order', example: ['1', '2', '2A', '3'] }),
  category: Key.nullable().optional().meta({ description: 'A key of `categories`', example: 'stalls' }),
});

const Section = strictObject({
  key: Key.meta({ example: 'floor' }),
  label: Text.optional().meta({ description: 'Defaults to the key', example: 'Floor' }),
  rows: list(Row, 1, SHOW_LIMITS.rowsPerSection),
});

const Area = strictObject({
  key: Key.meta({ description: 'Unique across sections and areas', example: 'standing' }),
  label: Text.optional().meta({ description: 'Defaults to the key', example: 'Standing floor' }),
  category: Key.nullable().optional().meta({ description: 'A key of `categories`: the price of every place', example: 'stalls' }),
  capacity: integer(1, SHOW_LIMITS.seats).meta({
    description: "Places sold by quantity (they count toward the show's places)",
    example: 2000,
  }),
});

/** The members every show has, in a definition and in a patch. */
const Details = {
  title: Text.meta({ example: 'Neon Nights' }),
  venue: Text.optional().meta({ example: 'Harbour Arena' }),
  startsAt: Instant,
  salesOpenAt: Instant.optional().meta({ description: 'Default: now' }),
  salesCloseAt: Instant.optional().meta({ description: 'Default: startsAt; must be after salesOpenAt' }),
  limits: Limits.optional(),
};

/** Names a row by its label in a refusal once the label itself is valid: `rows[2] ("B")`. */
const rowLabel: StepLabel = (path, value) => {
  if (path.at(-2) !== 'rows' || typeof value !== 'object' || value === null) return undefined;
  const label = (value as { label?: unknown }).label;
  return typeof label === 'string' && LABEL.test(label) ? JSON.stringify(label) : undefined;
};

type Issues = z.core.$RefinementCtx;
const refuse = (ctx: Issues, sentence: string) =>
  ctx.addIssue({ code: 'custom', message: sentence, params: { whole: true }, input: undefined });

/** The rules across items: unique keys and labels, known categories, at most 100,000 seats. */
function checkLayout(show: z.output<typeof ShowShape>, ctx: Issues): void {
  const at = (path: PropertyKey[]) => pathOf(path, show, rowLabel);
  const categories = new Set<string>();
  for (const [i, { key }] of (show.categories ?? []).entries()) {
    if (categories.has(key)) return refuse(ctx, `categories[${i}]: duplicate category key "${key}"`);
    categories.add(key);
  }
  let seats = 0;
  const sections = new Set<string>();
  for (const [s, section] of show.sections.entries()) {
    if (sections.has(section.key)) return refuse(ctx, `sections[${s}]: duplicate section key "${section.key}"`);
    sections.add(section.key);
    const rows = new Set<string>();
    for (const [r, row] of section.rows.entries()) {
      const path = at(['sections', s, 'rows', r]);
      if (rows.has(row.label)) return refuse(ctx, `${path}: duplicate row label in section "${section.key}"`);
      rows.add(row.label);
      if (row.category != null && !categories.has(row.category)) return refuse(ctx, `${path}: unknown category "${row.category}"`);
      if (row.seats === 0 || (Array.isArray(row.seats) && row.seats.length === 0))
        return refuse(ctx, `${path}: a row needs at least one seat`);
      if (Array.isArray(row.seats)) {
        const labels = new Set<string>();
        for (const label of row.seats) {
          if (labels.has(label)) return refuse(ctx, `${path}: duplicate seat label "${label}"`);
          labels.add(label);
        }
      }
      seats += Array.isArray(row.seats) ? row.seats.length : row.seats;
      if (seats > SHOW_LIMITS.seats) return refuse(ctx, `A show may have at most ${SHOW_LIMITS.seats} seats; ${path} goes past that`);
    }
  }
  for (const [a, area] of (show.areas ?? []).entries()) {
    const path = `areas[${a}]`;
    if (sections.has(area.key)) return refuse(ctx, `${path}: key "${area.key}" is already used by a section or an area`);
    sections.add(area.key);
    if (area.category != null && !categories.has(area.category)) return refuse(ctx, `${path}: unknown category "${area.category}"`);
    seats += area.capacity;
    if (seats > SHOW_LIMITS.seats)
      return refuse(ctx, `A show may have at most ${SHOW_LIMITS.seats} seats and places; ${path} goes past that`);
  }
}

const ShowShape = strictObject({
  id: matching(/^[a-z0-9-]{1,64}$/, '1 to 64 of a-z, 0-9 and "-"')
    .refine((id) => id !== 'shows', { error: '"shows" is reserved (it is the path of the show list)' })
    .optional()
    .meta({ description: 'Generated from the title when absent; "shows" is reserved', example: 'neon-nights-2027' }),
  ...Details,
  categories: list(Category, 0, SHOW_LIMITS.categories).optional(),
  sections: list(Section, 1, SHOW_LIMITS.sections).meta({ description: `At most ${SHOW_LIMITS.seats} seats and places in all` }),
  areas: list(Area, 0, SHOW_LIMITS.sections)
    .optional()
    .meta({ description: 'General-admission areas: standing floors sold by quantity through hold-best' }),
});

/** `POST /api/admin/shows`: a show with its layout, categories, prices, sales window and limits. */
export const ShowDefinitionSchema = ShowShape.superRefine(checkLayout);
export type ShowDefinition = z.output<typeof ShowDefinitionSchema>;

const LAYOUT_KEYS = ['id', 'categories', 'sections', 'areas'];

/** `PATCH /api/admin/shows/{id}`: only these members; the layout never changes. */
export const ShowPatchSchema = z.strictObject(
  { ...Details, title: Details.title.optional(), startsAt: Details.startsAt.optional() },
  {
    error: (issue) => {
      if (issue.code !== 'unrecognized_keys') return 'must be an object';
      const layout = issue.keys.filter((key) => LAYOUT_KEYS.includes(key));
      if (layout.length > 0) return `may not change ${layout.join(', ')}: the layout never changes after a show is created`;
      return unknownMembers(issue.keys);
    },
  },
);
export type ShowPatch = z.output<typeof ShowPatchSchema>;

/** How refusals of a show's body read: `sections[0].rows[2] ("B").seats[0] must be …. Nothing was changed.` */
export const SHOW_REFUSAL = { subject: 'The show', suffix: 'Nothing was changed.', label: rowLabel };
export const PATCH_REFUSAL = { subject: 'The patch', suffix: 'Nothing was changed.' };

function window(open: Date, close: Date): void {
  if (close.getTime() <= open.getTime()) {
    throw new InvalidRequestError(
      `salesCloseAt (${close.toISOString()}) must be after salesOpenAt (${open.toISOString()}). Nothing was changed.`,
    );
  }
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

/** The layout to store for a valid definition, with the defaults filled in (sales open `now`). */
export function layoutOf(show: ShowDefinition, now: Date): ShowLayout {
  const salesOpenAt = show.salesOpenAt ?? now;
  const salesCloseAt = show.salesCloseAt ?? show.startsAt;
  window(salesOpenAt, salesCloseAt);
  return {
    id: show.id ?? generatedId(show.title),
    title: show.title,
    venue: show.venue ?? '',
    startsAt: show.startsAt,
    salesOpenAt,
    salesCloseAt,
    perOrder: show.limits?.perOrder ?? MAX_SEATS_PER_REQUEST,
    perCustomer: show.limits?.perCustomer ?? null,
    categories: (show.categories ?? []).map(({ key, label, price }) => ({ key, label: label ?? key, price: price ?? null })),
    sections: show.sections.map(({ key, label, rows }) => ({
      key,
      label: label ?? key,
      rows: rows.map((row) => ({ label: row.label, seats: row.seats, category: row.category ?? null })),
    })),
    areas: (show.areas ?? []).map(({ key, label, category, capacity }) => ({
      key,
      label: label ?? key,
      category: category ?? null,
      capacity,
    })),
  };
}

/** The show after a patch, checked as a whole (the window must still open before it closes). */
export function applyPatch<T extends { salesOpenAt: Date; salesCloseAt: Date; perOrder: number; perCustomer: number | null }>(
  show: T,
  patch: ShowPatch,
): T {
  const { limits: newLimits, ...fields } = patch;
  const next = { ...show };
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) Object.assign(next, { [key]: value });
  if (newLimits?.perOrder !== undefined) next.perOrder = newLimits.perOrder ?? MAX_SEATS_PER_REQUEST;
  if (newLimits?.perCustomer !== undefined) next.perCustomer = newLimits.perCustomer;
  window(next.salesOpenAt, next.salesCloseAt);
  return next;
}
