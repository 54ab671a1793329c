/** Who is asking, with which key, for what: the identity of one idempotent request. */
export interface IdempotencyRef {
  userId: string;
  key: string;
  fingerprint: string;
}

export type StoredContentType = 'application/json' | 'application/problem+json';

/**
 * A final response kept for replay: status and the exact body bytes. A handler may return one
 * (a booking found in the database) to have it replayed instead of executing again.
 */
export class StoredResponse {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly contentType: StoredContentType = 'application/json',
  ) {}

  static json(status: number, value: unknown): StoredResponse {
    return new StoredResponse(status, JSON.stringify(value));
  }
}
