import pg from 'pg';
import type { Db } from './database.js';
import { drizzlePg as drizzle } from './drizzle.js';
import * as schema from './schema/pg.schema.js';

/** A statement of fixed text with numbered parameters, prepared once per connection under its name. */
export interface NamedStatement {
  name: string;
  text: string;
}

/** What of node-postgres' connection is used below: its protocol messages, the statements it parsed. */
interface ProtocolConnection {
  parse(message: { text: string }): void;
  bind(message: object): void;
  execute(message: object): void;
  parsedStatements: Record<string, string | undefined>;
}

/**
 * A named statement with the transaction's BEGIN in front of it, as messages of the extended
 * protocol before the statement's own: one write, one round trip and one ReadyForQuery for both.
 * The answer holds BEGIN's result, then the statement's. Only for a statement already parsed on
 * the connection: BEGIN's ParseComplete marks the query's statement parsed, which must not happen
 * before the statement's own Parse has succeeded.
 */
class BegunStatement extends pg.Query {
  constructor(
    private readonly begin: string,
    config: pg.QueryConfig,
    callback: (error: Error | undefined, results: pg.QueryResult | pg.QueryResult[]) => void,
  ) {
    super(config, undefined, callback as never);
  }

  /** Called by node-postgres, corked, when the query is sent (`Query.prepare`, not in its types). */
  prepare(connection: ProtocolConnection): void {
    connection.parse({ text: this.begin });
    connection.bind({});
    connection.execute({});
    (pg.Query.prototype as unknown as { prepare(connection: ProtocolConnection): void }).prepare.call(this, connection);
  }
}

/**
 * One pooled connection as a transaction uses it. BEGIN is not sent on its own: it goes with the
 * transaction's first statement, in the same write and, when that statement is a named one (the
 * hold's and the sale's), in the same round trip. A transaction that sent nothing sends no BEGIN
 * and needs no COMMIT. Kept for the connection's life, with its drizzle session.
 */
export class TransactionConnection {
  /** The transaction's statements rendered by drizzle reach the connection through `query`. */
  readonly session: Db;
  private pendingBegin?: string;

  constructor(readonly pooled: pg.PoolClient) {
    this.session = drizzle(this as unknown as pg.PoolClient, { schema });
  }

  /** A transaction starts: BEGIN (`begin`, with its isolation level) waits for the first statement. */
  begin(begin: string): void {
    this.pendingBegin = begin;
  }

  /** Whether BEGIN has been sent since `begin` (a statement went out). */
  get begun(): boolean {
    return this.pendingBegin === undefined;
  }

  /** The transaction ends; a BEGIN never sent is dropped. */
  end(): void {
    this.pendingBegin = undefined;
  }

  /** node-postgres' `query`, as drizzle calls it: BEGIN first, if still pending, then the statement. */
  async query(config: pg.QueryConfig | string, values?: unknown[]): Promise<pg.QueryResult> {
    const begin = this.pendingBegin;
    if (begin !== undefined) {
      this.pendingBegin = undefined;
      await this.pooled.query(begin);
    }
    return this.pooled.query(config, values);
  }

  /**
   * A named statement, with BEGIN in front of it if the transaction has sent nothing yet (on its
   * own the first time the statement runs on this connection: see BegunStatement).
   */
  async executeNamed<Row>(statement: NamedStatement, values: unknown[]): Promise<Row[]> {
    const begin = this.pendingBegin;
    const config = { name: statement.name, text: statement.text, values };
    if (begin === undefined || !this.parsed(statement)) return (await this.query(config)).rows as Row[];
    this.pendingBegin = undefined;
    return new Promise((resolve, reject) => {
      this.pooled.query(
        new BegunStatement(begin, config, (error, results) => {
          if (error) reject(error);
          else resolve((Array.isArray(results) ? results.at(-1)! : results).rows as Row[]);
        }),
      );
    });
  }

  private parsed(statement: NamedStatement): boolean {
    return (this.pooled as unknown as { connection: ProtocolConnection }).connection.parsedStatements[statement.name] === statement.text;
  }
}
