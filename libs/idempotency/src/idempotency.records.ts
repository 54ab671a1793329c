import { type Db, Database, PostgresDatabase, and, eq, lt } from '@app/db';
import { Inject, Injectable } from '@nestjs/common';
import { IdempotencyKeyReusedError } from './idempotency.errors.js';
import { type IdempotencyRef, StoredResponse } from './stored-response.js';

/**
 * Durable idempotency records in the database, written in the same transaction as the change
 * they describe: a retry after a crash, or after Redis lost its cache, finds the committed
 * outcome here instead of acting again.
 */
@Injectable()
export class IdempotencyRecords {
  constructor(@Inject(Database) private readonly database: Database) {}

  /** The stored response for this key, if any; 422 if the key was used for another request. */
  async find(db: Db, ref: IdempotencyRef): Promise<StoredResponse | undefined> {
    const { idempotencyRecords: records } = this.database.tables;
    const [row] = await db
      .select()
      .from(records)
      .where(and(eq(records.userId, ref.userId), eq(records.key, ref.key)))
      .limit(1);
    if (!row) return undefined;
    if (row.fingerprint !== ref.fingerprint) throw new IdempotencyKeyReusedError();
    return new StoredResponse(row.statusCode, row.body);
  }

  /** Deletes records older than the retention time (by the database clock); returns how many. */
  async prune(db: Db, retentionSeconds: number): Promise<number> {
    const { idempotencyRecords: records } = this.database.tables;
    const deleted = await db
      .delete(records)
      .where(lt(records.createdAt, this.database.clock.nowPlusMs(-retentionSeconds * 1000) as unknown as Date))
      .returning({ key: records.key });
    return deleted.length;
  }

  /**
   * Records the response in `db`'s transaction. On PostgreSQL (every booking's path) a statement of
   * fixed text, prepared once per connection, and sent with the COMMIT: a duplicate key then fails
   * the commit, as it would have failed the transaction.
   */
  async insert(db: Db, ref: IdempotencyRef, response: StoredResponse): Promise<void> {
    if (this.database instanceof PostgresDatabase) {
      await this.database.executeNamedAtCommit(db, INSERT, [ref.userId, ref.key, ref.fingerprint, response.status, response.body]);
      return;
    }
    const { idempotencyRecords: records } = this.database.tables;
    await db.insert(records).values({
      userId: ref.userId,
      key: ref.key,
      fingerprint: ref.fingerprint,
      statusCode: response.status,
      body: response.body,
      createdAt: this.database.clock.now(),
    });
  }
}

const INSERT = {
  name: 'insert_idempotency_record',
  text: 'insert into idempotency_records (user_id, key, fingerprint, status_code, body, created_at) values ($1, $2, $3, $4, $5, now())',
};
