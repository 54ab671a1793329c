import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { ShowNotFoundError } from './booking.errors.js';
import { SeatMapService, summary, type ShowSummary } from './seat-map.service.js';
import { SeatMapSnapshots } from './seat-map-snapshots.js';
import { ShowVersions } from './show-versions.js';

/**
 * The show list, at O(shows): the shows' rows, their read versions in one Redis round trip, and
 * each show's seat counts from its cached snapshot or counts at that read version; only a show that
 * changed since is counted again (one indexed count of its seats). Without Redis, one aggregate.
 */
@Injectable()
export class ShowListService {
  private readonly counts = new LRUCache<string, { readVersion: number; totalSeats: number; availableSeats: number }>({ max: 10_000 });

  constructor(
    private readonly seatMaps: SeatMapService,
    private readonly snapshots: SeatMapSnapshots,
    private readonly versions: ShowVersions,
  ) {}

  async list(): Promise<ShowSummary[]> {
    const shows = await this.seatMaps.showRows();
    const readVersions = await this.versions.readVersionsIfReachable(shows.map((show) => show.id));
    if (!readVersions) return this.seatMaps.summariesFromDatabase();
    return Promise.all(shows.map(async (show, i) => summary({ ...show, ...(await this.countsAt(show.id, readVersions[i])) })));
  }

  async summary(showId: string): Promise<ShowSummary> {
    const [show] = await this.seatMaps.showRows(showId);
    if (!show) throw new ShowNotFoundError(showId);
    return summary({ ...show, ...(await this.seatMaps.countsOf(showId)) });
  }

  private async countsAt(showId: string, readVersion: number): Promise<{ totalSeats: number; availableSeats: number }> {
    const snapshot = this.snapshots.cachedAt(showId, readVersion);
    if (snapshot) return { totalSeats: snapshot.totalSeats, availableSeats: snapshot.availableSeats };
    const cached = this.counts.get(showId);
    if (cached?.readVersion === readVersion) return { totalSeats: cached.totalSeats, availableSeats: cached.availableSeats };
    const counts = await this.seatMaps.countsOf(showId);
    this.counts.set(showId, { readVersion, ...counts });
    return counts;
  }
}
