import type { SeatsClient } from './harness.js';

interface Change {
  seatId: string;
  status: string;
  holdExpiresAt: string | null;
  version: number;
}

const CODES: Record<string, string> = { AVAILABLE: 'A', HELD: 'H', BOOKED: 'B', BLOCKED: 'X' };

/**
 * A client as the contract describes one: it starts from an acknowledged map, status part or
 * delta, and applies a change (from an event or a delta) only when its own version is newer than
 * what it shows for that seat.
 */
export class LiveClient {
  readonly seats = new Map<string, { status: string; holdExpiresAt: string | null; version: number }>();
  /** Seat ids in layout order. */
  order: string[] = [];

  constructor(readonly client: SeatsClient) {
    client.socket.on('seats:changed', (event: { changes: Change[] }) => this.apply(event.changes));
  }

  /** From the full map in the `subscribe` acknowledgement. */
  async start(showId: string): Promise<any> {
    const map = await this.client.subscribe(showId);
    this.fromMap(map);
    return map;
  }

  fromMap(map: { version: number; seats: { id: string; status: string; holdExpiresAt: string | null }[] }): void {
    this.order = map.seats.map((seat) => seat.id);
    for (const seat of map.seats) this.seats.set(seat.id, { status: seat.status, holdExpiresAt: seat.holdExpiresAt, version: map.version });
  }

  /** From a layout and a status part, as the seat page starts. */
  fromStatus(layout: { seats: { id: string }[] }, status: { version: number; statuses: string }): void {
    const byCode = Object.fromEntries(Object.entries(CODES).map(([name, code]) => [code, name]));
    this.order = layout.seats.map((seat) => seat.id);
    this.order.forEach((id, i) => this.seats.set(id, { status: byCode[status.statuses[i]], holdExpiresAt: null, version: status.version }));
  }

  apply(changes: Change[]): void {
    for (const change of changes) {
      const seat = this.seats.get(change.seatId);
      if (seat && change.version > seat.version)
        this.seats.set(change.seatId, { status: change.status, holdExpiresAt: change.holdExpiresAt, version: change.version });
    }
  }

  view() {
    return this.order.map((id) => ({ id, status: this.seats.get(id)!.status, holdExpiresAt: this.seats.get(id)!.holdExpiresAt }));
  }

  statuses(): string {
    return this.order.map((id) => CODES[this.seats.get(id)!.status]).join('');
  }
}
