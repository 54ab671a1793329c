import { Database, type Price } from '@app/db';
import { Inject, Injectable } from '@nestjs/common';
import { SeatNotFoundError } from './booking.errors.js';
import { HistoryRepository } from './history.repository.js';
import { type SeatMapSnapshot, SeatMapSnapshots, type ShowLayout } from './seat-map-snapshots.js';
import type { HistoryCause, SeatStatus } from './statements.js';

export interface HistoryEntryView {
  at: string;
  status: SeatStatus;
  cause: HistoryCause;
  userId: string | null;
  holdId: string | null;
  bookingId: string | null;
}

export interface Counts {
  available: number;
  held: number;
  booked: number;
  blocked: number;
}

export interface ReportLine extends Counts {
  key: string;
  label: string;
  revenue: Price | null;
}

export interface SalesReport {
  showId: string;
  version: number;
  totals: Counts;
  byCategory: ReportLine[];
  bySection: ReportLine[];
}

/** What the report needs of a layout: each seat's (and place's) category and section, and the categories' prices. */
interface ReportLayout {
  categories: { key: string; label: string; price: Price | null }[];
  sections: { key: string; label: string }[];
  /** Per layout position (seats, then places): index into `categories` (-1: none) and into `sections` (-1: none). */
  categoryOf: Int32Array;
  sectionOf: Int32Array;
  /** The currencies of each section's seats (a revenue of zero is in its one currency). */
  sectionCurrencies: Set<string>[];
}

/** The seller's records: what happened to a seat, and how the sale stands. */
@Injectable()
export class SellerRecordsService {
  private readonly layouts = new WeakMap<ShowLayout, ReportLayout>();

  constructor(
    @Inject(Database) private readonly database: Database,
    private readonly history: HistoryRepository,
    private readonly snapshots: SeatMapSnapshots,
  ) {}

  async historyOf(showId: string, seatId: string): Promise<HistoryEntryView[]> {
    const entries = await this.database.read((db) => this.history.ofSeat(db, showId, seatId));
    if (!entries) {
      await this.snapshots.layoutOf(showId); // an unknown show is SHOW_NOT_FOUND, before the seat
      throw new SeatNotFoundError(showId, seatId);
    }
    return entries.map(({ at, status, cause, ...rest }) => ({
      at: at.toISOString(),
      status: status as SeatStatus,
      cause: cause as HistoryCause,
      ...rest,
    }));
  }

  /**
   * Counts and revenue by category and by section (areas count as sections), from the show's
   * snapshot: exact as of its version. Revenue is the booked seats' category prices, which are
   * their booking prices (a show's categories and prices never change after creation).
   */
  async report(showId: string): Promise<SalesReport> {
    const snapshot = await this.snapshots.current(showId);
    const layout = this.reportLayout(snapshot);
    const totals = zero();
    const byCategory = layout.categories.map(() => ({ ...zero(), money: new Money() }));
    const bySection = layout.sections.map(() => ({ ...zero(), money: new Money() }));
    const { codes } = snapshot.pieces;
    for (let i = 0; i < codes.length; i++) {
      const counted = COUNTED[codes.charCodeAt(i)];
      if (!counted) continue;
      totals[counted]++;
      const category = layout.categoryOf[i];
      const section = layout.sectionOf[i];
      const price = category >= 0 ? layout.categories[category].price : null;
      if (category >= 0) byCategory[category][counted]++;
      if (section >= 0) bySection[section][counted]++;
      if (counted === 'booked') {
        if (category >= 0) byCategory[category].money.add(price);
        if (section >= 0) bySection[section].money.add(price);
      }
    }
    const line = (
      { key, label }: { key: string; label: string },
      { money, ...counts }: Counts & { money: Money },
      currencies: Set<string>,
    ) => ({
      key,
      label,
      ...counts,
      revenue: money.total(currencies),
    });
    return {
      showId,
      version: snapshot.version,
      totals,
      byCategory: layout.categories.map((category, i) =>
        line(category, byCategory[i], new Set(category.price ? [category.price.currency] : [])),
      ),
      bySection: layout.sections.map((section, i) => line(section, bySection[i], layout.sectionCurrencies[i])),
    };
  }

  private reportLayout(snapshot: SeatMapSnapshot): ReportLayout {
    let known = this.layouts.get(snapshot.layout);
    if (known) return known;
    const parsed = JSON.parse(snapshot.layout.json) as {
      sections: { key: string; label: string }[];
      categories: { key: string; label: string; price: Price | null }[];
      seats: { section: string | null; category: string | null }[];
    };
    const sections = [...parsed.sections, ...snapshot.areas.map(({ key, label }) => ({ key, label }))];
    const categoryIndex = new Map(parsed.categories.map((category, i) => [category.key, i]));
    const sectionIndex = new Map(sections.map((section, i) => [section.key, i]));
    const size = snapshot.pieces.codes.length;
    const categoryOf = new Int32Array(size).fill(-1);
    const sectionOf = new Int32Array(size).fill(-1);
    parsed.seats.forEach((seat, i) => {
      categoryOf[i] = categoryIndex.get(seat.category ?? '') ?? -1;
      sectionOf[i] = sectionIndex.get(seat.section ?? '') ?? -1;
    });
    for (const area of snapshot.areas) {
      categoryOf.fill(categoryIndex.get(area.category ?? '') ?? -1, area.first, area.first + area.capacity);
      sectionOf.fill(sectionIndex.get(area.key)!, area.first, area.first + area.capacity);
    }
    const sectionCurrencies = sections.map(() => new Set<string>());
    for (let i = 0; i < size; i++) {
      const currency = categoryOf[i] >= 0 ? parsed.categories[categoryOf[i]].price?.currency : undefined;
      if (sectionOf[i] >= 0 && currency) sectionCurrencies[sectionOf[i]].add(currency);
    }
    known = { categories: parsed.categories, sections, categoryOf, sectionOf, sectionCurrencies };
    this.layouts.set(snapshot.layout, known);
    return known;
  }
}

const zero = (): Counts => ({ available: 0, held: 0, booked: 0, blocked: 0 });
const COUNTED: Record<number, keyof Counts> = { 65: 'available', 72: 'held', 66: 'booked', 88: 'blocked' }; // A H B X

/** A sum of prices: null once a price is missing or in another currency. */
class Money {
  private amount = 0;
  private currency: string | undefined;
  private unknown = false;

  add(price: Price | null): void {
    if (!price || (this.currency !== undefined && this.currency !== price.currency)) this.unknown = true;
    else {
      this.currency = price.currency;
      this.amount += price.amount;
    }
  }

  /** The sum; with nothing added, zero in the group's one currency (null if it has none or several). */
  total(currencies: Set<string>): Price | null {
    if (this.unknown) return null;
    if (this.currency !== undefined) return { amount: this.amount, currency: this.currency };
    return currencies.size === 1 ? { amount: 0, currency: [...currencies][0] } : null;
  }
}
