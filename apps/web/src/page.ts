import { type Area, type AreaCounts, type Conflict, IdempotentWriter, type Seat } from './api.js';

/** What every part of the page shares: its elements, what it shows, and how it talks to the buyer. */

export interface SeatChange {
  seatId: string;
  status: Seat['status'];
  holdExpiresAt: string | null;
  /** The show's version at which this change happened. */
  version: number;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
export const elements = {
  user: $<HTMLInputElement>('user'),
  shows: $<HTMLUListElement>('shows'),
  show: $<HTMLElement>('show'),
  title: $<HTMLHeadingElement>('show-title'),
  message: $<HTMLParagraphElement>('message'),
  map: $<HTMLDivElement>('map'),
  mapStatus: $<HTMLParagraphElement>('map-status'),
  legend: $<HTMLUListElement>('legend'),
  hold: $<HTMLButtonElement>('hold'),
  book: $<HTMLButtonElement>('book'),
  release: $<HTMLButtonElement>('release'),
  countdown: $<HTMLSpanElement>('countdown'),
  extend: $<HTMLButtonElement>('extend'),
  best: $<HTMLFormElement>('best'),
  bestQuantity: $<HTMLInputElement>('best-quantity'),
  bestCategory: $<HTMLSelectElement>('best-category'),
  bestTogether: $<HTMLInputElement>('best-together'),
  bestHold: $<HTMLButtonElement>('best-hold'),
  areas: $<HTMLElement>('areas'),
  areaList: $<HTMLUListElement>('area-list'),
  live: $<HTMLParagraphElement>('live'),
  prices: $<HTMLUListElement>('prices'),
  bookings: $<HTMLUListElement>('bookings'),
  bookingsNone: $<HTMLParagraphElement>('bookings-none'),
};

/** Category colours of free seats, in the order the show lists its categories (each 4.5:1 or more against white). */
export const CATEGORY_COLOURS = ['#7b3fc4', '#0f7d8c', '#c43f6e', '#8c6d0f', '#3f63c4', '#a1401f'];

export const state = {
  showId: undefined as string | undefined,
  seats: new Map<string, Seat>(),
  selected: new Set<string>(),
  /** My holds (seats and places): seat id → expiry (ms since epoch). */
  mine: new Map<string, number>(),
  /** The show's general-admission areas with their counts, and the places I hold or booked: id → label. */
  areas: new Map<string, Area & AreaCounts>(),
  places: new Map<string, string>(),
  /** Most seats in one hold (the show's `perOrder`). */
  perOrder: 8,
  busy: false,
  /** Category key → label, price and colour; section key → label (when the show has several). */
  categories: new Map<string, { label: string; price: string; colour: string }>(),
  sections: new Map<string, string>(),
  /** The version of what the page shows: of the map it started from, and per seat of the newest change applied. */
  mapVersion: 0,
  seatVersions: new Map<string, number>(),
};
export const writer = new IdempotentWriter();

export const userId = () => elements.user.value;

// --- messages ---

export function say(text: string, kind: 'info' | 'ok' | 'error' = 'info'): void {
  elements.message.textContent = text;
  elements.message.dataset.kind = kind;
}

export const labelOf = (seatId: string) => state.seats.get(seatId)?.label ?? state.places.get(seatId) ?? seatId;
export const list = (seatIds: string[]) => seatIds.map(labelOf).join(', ');

export function explainConflicts(conflicts: Conflict[]): string {
  const by = (reason: Conflict['reason']) => conflicts.filter((c) => c.reason === reason).map((c) => c.seatId);
  const parts: string[] = [];
  const taken = [...by('HELD'), ...by('BOOKED')];
  if (taken.length) parts.push(`Sorry, someone else got ${list(taken)}. Nothing was held; pick other seats.`);
  if (by('EXPIRED').length) parts.push(`Your hold on ${list(by('EXPIRED'))} expired. Hold the seats again to book them.`);
  if (by('BLOCKED').length) parts.push(`${list(by('BLOCKED'))} is not for sale.`);
  if (by('NOT_HELD_BY_YOU').length) parts.push(`${list(by('NOT_HELD_BY_YOU'))} is not held by you (any more).`);
  return parts.join(' ') || 'That did not work; please try again.';
}

export const UNAVAILABLE = 'The booking service is unavailable right now. Nothing was changed; please try again in a moment.';
