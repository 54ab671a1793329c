import { Injectable } from '@nestjs/common';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { SeatMapService, type SerializedMap } from './seat-map.service.js';
import { ShowVersions } from './show-versions.js';

const gzipAsync = promisify(gzip);

/** A seat map serialised and compressed once, for every read of the same version. */
export interface SeatMapSnapshot {
  showId: string;
  version: number;
  /** The pieces it was joined from, to bring it up to date by replacing only the seats that changed. */
  pieces: SerializedMap;
  /** Seat id → position in `pieces`. */
  index: Map<string, number>;
  /** Weak: two instances may build the same version from slightly different moments. Undefined when Redis could not say the version (not cached). */
  etag?: string;
  /** The JSON answer, as sent. */
  json: string;
  gzip: Buffer;
  totalSeats: number;
  availableSeats: number;
}

/** Snapshots kept per instance, least recently used dropped first (a 50,000-seat map is ~6 MB of JSON). */
const MAX_CACHED_BYTES = 96 * 1024 * 1024;

/**
 * The seat map of a show at its current version, built once per version per instance and shared by
 * every GET and socket.io subscription. A read asks Redis for the show's version label (one round
 * trip); if the cached snapshot has it, that is the answer. Otherwise one rebuild runs (concurrent
 * readers of the same or an older label wait for it): label first, then the database, so a
 * snapshot holds at least every change its label claims. A read that starts after a write was
 * answered gets a label at least as new as that write's version, so it reflects the write, on
 * whichever instance it lands. With Redis unreachable, reads are answered from the database
 * without caching, labelled with the last version known.
 */
@Injectable()
export class SeatMapSnapshots {
  private readonly cache = new Map<string, SeatMapSnapshot>();
  private readonly building = new Map<string, Builds>();
  private cachedBytes = 0;

  constructor(
    private readonly seatMaps: SeatMapService,
    private readonly versions: ShowVersions,
  ) {}

  async current(showId: string): Promise<SeatMapSnapshot> {
    const label = await this.labelOf(showId);
    if (label === undefined) return this.build(showId, this.cache.get(showId)?.version ?? 0, false);
    const cached = this.cache.get(showId);
    if (cached?.version === label) {
      this.touch(cached);
      return cached;
    }
    return this.rebuilt(showId, label);
  }

  /**
   * One rebuild at a time per show. A reader whose label the build in progress covers waits for
   * it; a newer one waits for the single next build, which starts when the current one ends and
   * reads its label then (at least as new as every waiting reader's).
   */
  private rebuilt(showId: string, label: number): Promise<SeatMapSnapshot> {
    const builds = this.building.get(showId) ?? {};
    if (builds.current && builds.current.label >= label) return builds.current.done;
    if (builds.current) {
      builds.next ??= builds.current.done
        .catch(() => undefined)
        .then(async () => {
          builds.next = undefined;
          const fresh = (await this.labelOf(showId)) ?? label;
          return this.start(showId, builds, Math.max(fresh, label)).done;
        });
      return builds.next;
    }
    return this.start(showId, builds, label).done;
  }

  private start(showId: string, builds: Builds, label: number): { label: number; done: Promise<SeatMapSnapshot> } {
    const cached = this.cache.get(showId);
    const current = {
      label,
      done:
        cached?.version === label
          ? Promise.resolve(cached)
          : this.build(showId, label, true).finally(() => {
              if (builds.current === current) builds.current = undefined;
              if (!builds.current && !builds.next) this.building.delete(showId);
            }),
    };
    builds.current = current;
    this.building.set(showId, builds);
    return current;
  }

  /** The cached snapshot at this label, if any (the show list reads its counts from here). */
  cachedAt(showId: string, label: number): SeatMapSnapshot | undefined {
    const cached = this.cache.get(showId);
    return cached?.version === label ? cached : undefined;
  }

  /** Drops what this instance has of a show (it was deleted here). */
  forget(showId: string): void {
    const cached = this.cache.get(showId);
    if (cached) this.drop(cached);
  }

  /** The version label, or undefined when Redis cannot answer now. */
  private async labelOf(showId: string): Promise<number | undefined> {
    return (await this.versions.labelsForRead([showId]))?.[0];
  }

  /**
   * A snapshot at `version`: from the previous one, by reading only the seats changed since (a
   * few rows by primary key, found in Redis's record of changed seats), or else the whole map.
   */
  private async build(showId: string, version: number, keep: boolean): Promise<SeatMapSnapshot> {
    const previous = this.cache.get(showId);
    const patched = keep && previous && previous.version < version ? await this.patched(previous) : undefined;
    const pieces = patched ?? (await this.seatMaps.serialized(showId));
    const index = patched ? previous!.index : new Map(pieces.ids.map((id, i) => [id, i]));
    const json = `{"showId":${JSON.stringify(showId)},"version":${version},${pieces.layout}${pieces.seats.join(',')}]}`;
    let availableSeats = 0;
    for (let i = 0; i < pieces.codes.length; i++) if (pieces.codes.charCodeAt(i) === 65) availableSeats++; // 'A'
    // zlib runs on the thread pool: compressing a stadium does not block the event loop.
    const snapshot: SeatMapSnapshot = {
      showId,
      version,
      pieces,
      index,
      etag: keep ? `W/"${version}"` : undefined,
      json,
      gzip: await gzipAsync(json),
      totalSeats: pieces.ids.length,
      availableSeats,
    };
    if (keep) this.keep(snapshot);
    return snapshot;
  }

  /** The previous snapshot's pieces with the changed seats read again; undefined if that cannot be trusted. */
  private async patched(previous: SeatMapSnapshot): Promise<SerializedMap | undefined> {
    const changed = await this.versions.changedSince(previous.showId, previous.version).catch(() => undefined);
    if (!changed) return undefined;
    const rows = changed.length > 0 ? await this.seatMaps.serializedSeats(previous.showId, changed) : [];
    // A seat gone (the show was deleted, perhaps made again): read the whole map.
    if (rows.length !== changed.length || rows.some((row) => !previous.index.has(row.id))) return undefined;
    const seats = previous.pieces.seats.slice();
    const codes = previous.pieces.codes.split('');
    for (const { id, json, code } of rows) {
      const i = previous.index.get(id)!;
      seats[i] = json;
      codes[i] = code;
    }
    return { ...previous.pieces, seats, codes: codes.join('') };
  }

  private keep(snapshot: SeatMapSnapshot): void {
    const previous = this.cache.get(snapshot.showId);
    // A slower rebuild of an older label must not replace a newer snapshot.
    if (previous && previous.version > snapshot.version) return;
    if (previous) this.drop(previous);
    this.cache.set(snapshot.showId, snapshot);
    this.cachedBytes += sizeOf(snapshot);
    for (const oldest of this.cache.values()) {
      if (this.cachedBytes <= MAX_CACHED_BYTES || oldest === snapshot) break;
      this.drop(oldest);
    }
  }

  private touch(snapshot: SeatMapSnapshot): void {
    this.cache.delete(snapshot.showId);
    this.cache.set(snapshot.showId, snapshot);
  }

  private drop(snapshot: SeatMapSnapshot): void {
    if (this.cache.get(snapshot.showId) !== snapshot) return;
    this.cache.delete(snapshot.showId);
    this.cachedBytes -= sizeOf(snapshot);
  }
}

interface Builds {
  current?: { label: number; done: Promise<SeatMapSnapshot> };
  next?: Promise<SeatMapSnapshot>;
}

/** Roughly: the JSON twice (joined, and its pieces), the gzip bytes. */
const sizeOf = (snapshot: SeatMapSnapshot) => 2 * snapshot.json.length + snapshot.gzip.length;
