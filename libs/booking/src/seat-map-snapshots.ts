import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { type AreaView, SeatMapService, type SerializedMap } from './seat-map.service.js';
import { ShowVersions } from './show-versions.js';

const gzipAsync = promisify(gzip);

/**
 * What never changes while a show exists: its sections, categories and seats without status.
 * `layoutVersion` is a digest of exactly these bytes, so it and the strong ETag change only when
 * the show is deleted and made again with another layout.
 */
export class ShowLayout {
  readonly etag: string;
  readonly json: string;
  private compressed?: Promise<Buffer>;

  constructor(
    showId: string,
    readonly layoutVersion: string,
    body: string,
  ) {
    this.etag = `"${layoutVersion}"`;
    this.json = `{"showId":${JSON.stringify(showId)},"layoutVersion":"${layoutVersion}",${body}`;
  }

  /** From a seat map's pieces: each seat's JSON without its last two members (status, holdExpiresAt), then the areas. */
  static of(showId: string, pieces: SerializedMap): ShowLayout {
    const seats = pieces.seats.slice(0, pieces.seatCount).map((seat) => `${seat.slice(0, seat.lastIndexOf(',"status":'))}}`);
    const body = `${pieces.layout}${seats.join(',')}],"areas":${JSON.stringify(pieces.areas)}}`;
    return new ShowLayout(showId, createHash('sha256').update(body).digest('base64url').slice(0, 22), body);
  }

  gzip(): Promise<Buffer> {
    return (this.compressed ??= gzipAsync(this.json));
  }
}

/** Seats per chunk of a snapshot's seat JSON: a patch copies the chunks it changes, not 50,000 entries. */
const SEATS_PER_CHUNK = 1024;

/**
 * A serialised map as a snapshot keeps it: the seats' JSON in chunks, so that versions share what
 * did not change. Places (after `seatCount` in `ids` and `codes`) have no JSON: the map does not list them.
 */
export interface SnapshotPieces extends Omit<SerializedMap, 'seats'> {
  seatChunks: string[][];
}

function inChunks({ seats, ...rest }: SerializedMap): SnapshotPieces {
  const seatChunks: string[][] = [];
  for (let i = 0; i < rest.seatCount; i += SEATS_PER_CHUNK) seatChunks.push(seats.slice(i, Math.min(i + SEATS_PER_CHUNK, rest.seatCount)));
  return { ...rest, seatChunks };
}

/** An area with its places counted by status (a blocked place counts in none). */
export interface AreaCounts extends AreaView {
  /** Position of its first place in `ids` and `codes`. */
  first: number;
  available: number;
  held: number;
  booked: number;
}

function areaCounts({ areas, seatCount, codes }: SnapshotPieces): AreaCounts[] {
  let first = seatCount;
  return areas.map((area) => {
    const counts = { ...area, first, available: 0, held: 0, booked: 0 };
    for (let i = first; i < first + area.capacity; i++) {
      const code = codes.charCodeAt(i);
      if (code === 65)
        counts.available++; // A
      else if (code === 72)
        counts.held++; // H
      else if (code === 66) counts.booked++; // B
    }
    first += area.capacity;
    return counts;
  });
}

/**
 * A seat map serialised once per version, for every read of that version: the full map and the
 * status part are each joined and compressed on their first read only (a live sale's status
 * readers never pay for the 6 MB full map, and the reverse).
 */
export class SeatMapSnapshot {
  /** Weak: two instances may build the same version from slightly different moments. */
  readonly etag: string | undefined;
  readonly statusEtag: string | undefined;
  readonly totalSeats: number;
  readonly availableSeats: number;
  /** Roughly what it may keep: the seat pieces, the full map joined once read, its gzip (~120 bytes a seat each); counted when cached (loose by design). */
  readonly bytes: number;
  private fullJson?: string;
  private fullGzip?: Promise<Buffer>;
  private statusText?: string;
  private statusGzip?: Promise<Buffer>;
  private counted?: AreaCounts[];
  /**
   * When (`performance.now()`) a read version at most this snapshot's was last read: every write
   * answered before then is in it. Later writes may not be (see `SeatMapSnapshots.recent`).
   */
  confirmedAt = 0;

  constructor(
    readonly showId: string,
    readonly version: number,
    /** The pieces it was joined from, to bring it up to date by replacing only the seats that changed. */
    readonly pieces: SnapshotPieces,
    /** Seat id → position in `pieces`. */
    readonly index: Map<string, number>,
    readonly layout: ShowLayout,
    /** False when Redis could not say the version: then not cached, and no ETag. */
    cacheable: boolean,
  ) {
    this.etag = cacheable ? `W/"${version}"` : undefined;
    this.statusEtag = cacheable ? `W/"status-${version}"` : undefined;
    let available = 0;
    for (let i = 0; i < pieces.codes.length; i++) if (pieces.codes.charCodeAt(i) === 65) available++; // 'A'
    this.totalSeats = pieces.ids.length;
    this.availableSeats = available;
    this.bytes = 3 * 120 * pieces.ids.length;
  }

  /** The general-admission areas with their places counted, in layout order. */
  get areas(): readonly AreaCounts[] {
    return (this.counted ??= areaCounts(this.pieces));
  }

  /** The full map (`GET /api/seats/{showId}`), as sent; a show with areas lists them after its seats, with their counts. */
  get json(): string {
    if (this.fullJson !== undefined) return this.fullJson;
    const areas = this.areas.map(({ first: _first, ...area }) => area);
    const tail = areas.length > 0 ? `],"areas":${JSON.stringify(areas)}}` : ']}';
    return (this.fullJson = `{"showId":${JSON.stringify(this.showId)},"version":${this.version},${this.pieces.layout}${this.pieces.seatChunks.map((chunk) => chunk.join(',')).join(',')}${tail}`);
  }

  gzip(): Promise<Buffer> {
    // zlib runs on the thread pool: compressing a stadium does not block the event loop.
    return (this.fullGzip ??= gzipAsync(this.json));
  }

  /** The status part (`GET /api/seats/{showId}/status`): one character per seat of the layout. */
  get statusJson(): string {
    if (this.statusText !== undefined) return this.statusText;
    const areas = Object.fromEntries(
      this.areas.map(({ key, capacity, available, held, booked }) => [key, { capacity, available, held, booked }]),
    );
    const statuses = this.pieces.codes.slice(0, this.pieces.seatCount);
    return (this.statusText = `{"showId":${JSON.stringify(this.showId)},"version":${this.version},"layoutVersion":"${this.layout.layoutVersion}","statuses":"${statuses}","areas":${JSON.stringify(areas)}}`);
  }

  statusGzipped(): Promise<Buffer> {
    return (this.statusGzip ??= gzipAsync(this.statusJson));
  }
}

/** How long a layout read trusts the layout it has (a deleted show's layout is served this long at most). */
const LAYOUT_RECHECK_MS = 1000;
const MAX_LAYOUTS = 1000;

/** Snapshots kept per instance, least recently used dropped first (a 50,000-seat map is ~6 MB of JSON). */
const MAX_CACHED_BYTES = 96 * 1024 * 1024;

/**
 * The seat map of a show at its current version, built once per version per instance and shared by
 * every GET and socket.io subscription. A read asks Redis for the show's read version (one round
 * trip); if the cached snapshot has it, that is the answer. Otherwise one rebuild runs (concurrent
 * readers of the same or an older read version wait for it): read version first, then the database, so a
 * snapshot holds at least every change its read version claims. A read that starts after a write was
 * answered gets a read version at least as new as that write's version, so it reflects the write, on
 * whichever instance it lands. With Redis unreachable, reads are answered from the database
 * without caching, labelled with the last version known.
 */
@Injectable()
export class SeatMapSnapshots {
  /** Least recently used dropped first; a snapshot larger than the whole budget is still kept alone. */
  private readonly cache = new LRUCache<string, SeatMapSnapshot>({
    maxSize: MAX_CACHED_BYTES,
    sizeCalculation: (snapshot) => Math.min(snapshot.bytes, MAX_CACHED_BYTES),
  });
  private readonly building = new Map<string, Builds>();
  private readonly refreshing = new Set<string>();
  private readonly layouts = new LRUCache<string, { layout: ShowLayout; checkedAt: number }>({ max: MAX_LAYOUTS });

  constructor(
    private readonly seatMaps: SeatMapService,
    private readonly versions: ShowVersions,
  ) {}

  async current(showId: string): Promise<SeatMapSnapshot> {
    const readAt = performance.now();
    const readVersion = await this.readVersionOf(showId);
    if (readVersion === undefined) return this.build(showId, this.cache.get(showId)?.version ?? 0, false);
    const cached = this.cache.get(showId);
    const snapshot = cached?.version === readVersion ? cached : await this.rebuilt(showId, readVersion);
    // Its version is at least the one read at `readAt`: it holds every write answered before then.
    if (snapshot.version >= readVersion) snapshot.confirmedAt = Math.max(snapshot.confirmedAt, readAt);
    return snapshot;
  }

  /**
   * The snapshot this instance has if it was confirmed current in the last `waitAfterMs` (brought
   * up to date in the background once older than `refreshAfterMs`, one refresh per show at a time);
   * else the current one. For choices that the database checks anyway (best available), not for
   * reads: a write answered less than `waitAfterMs` ago may be missing from it.
   */
  async recent(showId: string, refreshAfterMs: number, waitAfterMs: number): Promise<SeatMapSnapshot> {
    const cached = this.cache.get(showId);
    const age = cached ? performance.now() - cached.confirmedAt : Infinity;
    if (!cached || age > waitAfterMs) return this.current(showId);
    if (age > refreshAfterMs && !this.refreshing.has(showId)) {
      this.refreshing.add(showId);
      void this.current(showId)
        .catch(() => undefined)
        .finally(() => this.refreshing.delete(showId));
    }
    return cached;
  }

  /**
   * One rebuild at a time per show. A reader whose read version the build in progress covers waits for
   * it; a newer one waits for the single next build, which starts when the current one ends and
   * reads its read version then (at least as new as every waiting reader's).
   */
  private rebuilt(showId: string, readVersion: number): Promise<SeatMapSnapshot> {
    const builds = this.building.get(showId) ?? {};
    if (builds.current && builds.current.readVersion >= readVersion) return builds.current.done;
    if (builds.current) {
      builds.next ??= builds.current.done
        .catch(() => undefined)
        .then(async () => {
          builds.next = undefined;
          const fresh = (await this.readVersionOf(showId)) ?? readVersion;
          return this.start(showId, builds, Math.max(fresh, readVersion)).done;
        });
      return builds.next;
    }
    return this.start(showId, builds, readVersion).done;
  }

  private start(showId: string, builds: Builds, readVersion: number): { readVersion: number; done: Promise<SeatMapSnapshot> } {
    const cached = this.cache.get(showId);
    const current = {
      readVersion,
      done:
        cached?.version === readVersion
          ? Promise.resolve(cached)
          : this.build(showId, readVersion, true).finally(() => {
              if (builds.current === current) builds.current = undefined;
              if (!builds.current && !builds.next) this.building.delete(showId);
            }),
    };
    builds.current = current;
    this.building.set(showId, builds);
    return current;
  }

  /**
   * The show's layout. It never changes while the show exists, so it is served from memory and
   * checked against the current snapshot (which notices a show deleted or made again) at most
   * once per `LAYOUT_RECHECK_MS`.
   */
  async layoutOf(showId: string): Promise<ShowLayout> {
    const known = this.layouts.get(showId);
    if (known && Date.now() - known.checkedAt < LAYOUT_RECHECK_MS) return known.layout;
    const { layout } = await this.current(showId);
    this.layouts.set(showId, { layout, checkedAt: Date.now() });
    return layout;
  }

  /** The version a read starting now may be labelled with; undefined when Redis cannot say. */
  readVersion(showId: string): Promise<number | undefined> {
    return this.readVersionOf(showId);
  }

  /** The cached snapshot at this read version, if any (the show list reads its counts from here). */
  cachedAt(showId: string, readVersion: number): SeatMapSnapshot | undefined {
    const cached = this.cache.peek(showId);
    return cached?.version === readVersion ? cached : undefined;
  }

  /** Drops what this instance has of a show (it was deleted here). */
  forget(showId: string): void {
    this.layouts.delete(showId);
    this.cache.delete(showId);
  }

  /** The read version, or undefined when Redis cannot answer now. */
  private async readVersionOf(showId: string): Promise<number | undefined> {
    return (await this.versions.readVersionsIfReachable([showId]))?.[0];
  }

  /**
   * A snapshot at `version`: from the previous one, by reading only the seats changed since (a
   * few rows by primary key, found in Redis's record of changed seats), or else the whole map.
   */
  private async build(showId: string, version: number, keep: boolean): Promise<SeatMapSnapshot> {
    const previous = this.cache.get(showId);
    const patched = keep && previous && previous.version < version ? await this.patched(previous) : undefined;
    const serialized = patched ? undefined : await this.seatMaps.serialized(showId);
    const pieces = patched ?? inChunks(serialized!);
    const index = patched ? previous!.index : new Map(pieces.ids.map((id, i) => [id, i]));
    let layout = patched ? previous!.layout : ShowLayout.of(showId, serialized!);
    if (previous && previous.layout.layoutVersion === layout.layoutVersion) layout = previous.layout;
    const snapshot = new SeatMapSnapshot(showId, version, pieces, index, layout, keep);
    if (keep) this.keep(snapshot);
    return snapshot;
  }

  /** The previous snapshot's pieces with the changed seats read again; undefined if that cannot be trusted. */
  private async patched(previous: SeatMapSnapshot): Promise<SnapshotPieces | undefined> {
    const changed = await this.versions.changedSince(previous.showId, previous.version).catch(() => undefined);
    if (!changed) return undefined;
    const rows = changed.length > 0 ? await this.seatMaps.serializedSeats(previous.showId, changed) : [];
    // A seat gone (the show was deleted, perhaps made again): read the whole map.
    if (rows.length !== changed.length || rows.some((row) => !previous.index.has(row.id))) return undefined;
    // Copy on write: only the chunks that changed are new, and the codes are patched as bytes.
    const seatChunks = previous.pieces.seatChunks.slice();
    const codes = Buffer.from(previous.pieces.codes, 'latin1');
    const copied = new Set<number>();
    for (const { id, json, code } of rows) {
      const i = previous.index.get(id)!;
      codes[i] = code.charCodeAt(0);
      if (i >= previous.pieces.seatCount) continue; // a place: no JSON
      const chunk = Math.floor(i / SEATS_PER_CHUNK);
      if (!copied.has(chunk)) {
        seatChunks[chunk] = seatChunks[chunk].slice();
        copied.add(chunk);
      }
      seatChunks[chunk][i % SEATS_PER_CHUNK] = json;
    }
    return { ...previous.pieces, seatChunks, codes: codes.toString('latin1') };
  }

  private keep(snapshot: SeatMapSnapshot): void {
    const previous = this.cache.peek(snapshot.showId);
    // A slower rebuild of an older read version must not replace a newer snapshot.
    if (previous && previous.version > snapshot.version) return;
    this.cache.set(snapshot.showId, snapshot);
  }
}

interface Builds {
  current?: { readVersion: number; done: Promise<SeatMapSnapshot> };
  next?: Promise<SeatMapSnapshot>;
}
