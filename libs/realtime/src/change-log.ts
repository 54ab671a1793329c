import { latestPerSeat, type VersionedChange } from './seats-changed.event.js';

/** How long the changes of a show are kept for resuming clients (the contract asks for 60 s). */
export const RETAIN_MS = 80_000;

/**
 * How late a change may arrive after the moment its version was taken (versions are the
 * taking instance's clock in microseconds, see `begin-show-change.lua`): a version is taken just
 * before COMMIT, then the commit, the batch's `LIVE_BATCH_MS` and the trip through Redis. A feed
 * interrupted meanwhile (Redis lost) resets the logs, so only a stalled instance could be later.
 */
export const LATE_MS = 5_000;

interface Entry {
  /** When this instance heard of it (ms). */
  at: number;
  change: VersionedChange;
}

/**
 * The changes of one show that this instance heard of (its own batches and the other instances'),
 * in the order they arrived, for the last `RETAIN_MS`. It answers "every change after version v"
 * for a client that resumes, as long as it has heard every batch since a moment safely before v:
 * a change of an older version may arrive after a newer one (another instance's batch was on its
 * way), so it looks back `LATE_MS` before v, and the client drops what it already has by version.
 */
export class ChangeLog {
  private entries: Entry[] = [];
  private first = 0;
  /** Everything that arrived since this moment (ms) is here. */
  private completeSince: number;

  constructor(completeSince: number) {
    this.completeSince = completeSince;
  }

  get size(): number {
    return this.entries.length - this.first;
  }

  add(changes: VersionedChange[], at: number): void {
    for (const change of changes) this.entries.push({ at, change });
  }

  /** Drops what is older than `RETAIN_MS` (then only later versions can be answered). */
  prune(now: number): void {
    const cutoff = now - RETAIN_MS;
    while (this.first < this.entries.length && this.entries[this.first].at < cutoff) this.first++;
    if (this.first > 0) this.completeSince = Math.max(this.completeSince, cutoff);
    if (this.first > 1024 && this.first * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.first);
      this.first = 0;
    }
  }

  /** Forgets everything: batches may have been missed (the feed was interrupted). */
  reset(now: number): void {
    this.entries = [];
    this.first = 0;
    this.completeSince = now;
  }

  /**
   * The latest change of every seat changed after `version` (and some a little before, which the
   * client ignores by their versions), or undefined when batches of that time may be missing here.
   */
  since(version: number): VersionedChange[] | undefined {
    const from = version / 1000 - LATE_MS;
    if (from < this.completeSince) return undefined;
    // Arrival times only grow: find the first entry that may matter (with a second of clock slack).
    let low = this.first;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.entries[mid].at < from - 1000) low = mid + 1;
      else high = mid;
    }
    const floor = version - LATE_MS * 1000;
    const latest = new Map<string, VersionedChange>();
    for (let i = low; i < this.entries.length; i++) {
      const { change } = this.entries[i];
      if (change.version > floor) latestPerSeat([change], latest);
    }
    return [...latest.values()];
  }
}
