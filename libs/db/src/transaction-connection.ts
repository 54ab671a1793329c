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
  sync(): void;
  parsedStatements: Record<string, string | undefined>;
}

type QueryInternals = {
  prepare(connection: ProtocolConnection): void;
  _getRows(connection: ProtocolConnection, rows?: number): void;
};
const query = pg.Query.prototype as unknown as QueryInternals;
/** What node-postgres' Query reads when it sends itself (set in its constructor, not in its types). */
type QueryFields = { name?: string; values?: unknown[]; queryMode?: 'extended' };

/** A statement of fixed text without parameters, as unnamed extended-protocol messages, no Sync. */
function sendUnnamed(connection: ProtocolConnection, text: string): void {
  connection.parse({ text });
  connection.bind({});
  connection.execute({});
}

/**
 * A statement with the transaction's BEGIN in front of it, or its COMMIT after it, as
 * extended-protocol messages around the statement's own: one write, one round trip and one
 * ReadyForQuery for all of them. The answer holds each one's result in order. A named statement
 * must be parsed on the connection already: the ParseComplete of BEGIN or COMMIT marks the query's
 * statement parsed, which must not happen before the statement's own Parse succeeded.
 * An error skips what follows it (up to the Sync): a failed statement's COMMIT is never run.
 * It overrides two methods of node-postgres' Query that its types do not declare (`prepare`,
 * `_getRows`) and reads the connection's `parsedStatements`: pg is pinned in package.json, and
 * apps/api/test/transactions.e2e.spec.ts checks the behaviour and the writes on a real server.
 */
class FramedStatement extends pg.Query {
  constructor(
    private readonly before: string | undefined,
    private readonly after: string | undefined,
    config: pg.QueryConfig,
    callback: (error: Error | undefined, results: pg.QueryResult | pg.QueryResult[]) => void,
  ) {
    // Constructed from the text alone: given a config object, node-postgres copies it property by
    // property (`Object.defineProperties`), a cost on every hold and sale. A config with a row
    // mode or parsers (drizzle's `rowMode: 'array'`) needs that copy, for the result it builds.
    const plain = (config as { rowMode?: string }).rowMode === undefined && config.types === undefined;
    super(plain ? config.text : config, undefined, callback as never);
    const fields = this as unknown as QueryFields;
    fields.name = config.name;
    fields.values = config.values;
    fields.queryMode = 'extended';
  }

  /** Called by node-postgres, corked, when the query is sent (`Query.prepare`, not in its types). */
  prepare(connection: ProtocolConnection): void {
    if (this.before) sendUnnamed(connection, this.before);
    query.prepare.call(this, connection);
  }

  /** The statement's Execute and the Sync (`Query._getRows`), with COMMIT between them. */
  _getRows(connection: ProtocolConnection, rows?: number): void {
    if (!this.after || rows) return query._getRows.call(this, connection, rows);
    connection.execute({});
    sendUnnamed(connection, this.after);
    connection.sync();
  }

  /** Runs `config` framed on `client` (always by the extended protocol); resolves to the statement's own result. */
  static run(client: pg.PoolClient, frame: { before?: string; after?: string }, config: pg.QueryConfig): Promise<pg.QueryResult> {
    return new Promise((resolve, reject) => {
      client.query(
        new FramedStatement(frame.before, frame.after, config, (error, results) => {
          if (error) reject(error);
          else resolve(Array.isArray(results) ? results[frame.before ? 1 : 0] : results);
        }),
      );
    });
  }
}

/**
 * One pooled connection as a transaction uses it. BEGIN is not sent on its own: it goes with the
 * transaction's first statement, in the same write and, when that statement is a named one (the
 * hold's and the sale's), in the same round trip. A transaction that sent nothing sends no BEGIN
 * and needs no COMMIT. A statement may also be left for the COMMIT (`executeAtCommit`): then it
 * goes in the same write and round trip as the COMMIT, which runs only if it succeeded. Kept for
 * the connection's life, with its drizzle session.
 */
export class TransactionConnection {
  /** The transaction's statements rendered by drizzle reach the connection through `query`. */
  readonly session: Db;
  private pendingBegin?: string;
  private atCommit?: { statement: NamedStatement; values: unknown[] };

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

  /** The transaction ends; a BEGIN or a statement for the COMMIT never sent is dropped. */
  end(): void {
    this.pendingBegin = undefined;
    this.atCommit = undefined;
  }

  /**
   * Leaves a named statement for the COMMIT, which sends it (see the class comment); its failure
   * fails the commit. One at a time: leaving another sends the one before it now.
   */
  async executeAtCommit(statement: NamedStatement, values: unknown[]): Promise<void> {
    const before = this.atCommit;
    this.atCommit = { statement, values };
    if (before) await this.executeNamed(before.statement, before.values);
  }

  /** Commits what was sent, with the statement left for it; nothing at all if nothing was. */
  async commit(): Promise<void> {
    const last = this.atCommit;
    this.atCommit = undefined;
    if (last && (!this.begun || !this.parsed(last.statement))) {
      await this.executeNamed(last.statement, last.values);
      return this.commit();
    }
    if (!this.begun) return;
    if (!last) {
      await this.pooled.query('commit');
      return;
    }
    await FramedStatement.run(
      this.pooled,
      { after: 'commit' },
      { name: last.statement.name, text: last.statement.text, values: last.values },
    );
  }

  /** node-postgres' `query`, as drizzle calls it: with BEGIN in front, if still pending (an unnamed statement). */
  async query(config: pg.QueryConfig | string, values?: unknown[]): Promise<pg.QueryResult> {
    const begin = this.pendingBegin;
    if (begin === undefined) return this.pooled.query(config, values);
    this.pendingBegin = undefined;
    const statement = typeof config === 'string' ? { text: config } : config;
    if (statement.name !== undefined) {
      await this.pooled.query(begin);
      return this.pooled.query(statement, values);
    }
    return FramedStatement.run(this.pooled, { before: begin }, values === undefined ? statement : { ...statement, values });
  }

  /**
   * A named statement, with BEGIN in front of it if the transaction has sent nothing yet (on its
   * own the first time the statement runs on this connection: see FramedStatement).
   */
  async executeNamed<Row>(statement: NamedStatement, values: unknown[]): Promise<Row[]> {
    const begin = this.pendingBegin;
    const config = { name: statement.name, text: statement.text, values };
    if (begin === undefined || !this.parsed(statement)) return (await this.query(config)).rows as Row[];
    this.pendingBegin = undefined;
    return (await FramedStatement.run(this.pooled, { before: begin }, config)).rows as Row[];
  }

  private parsed(statement: NamedStatement): boolean {
    return (this.pooled as unknown as { connection: ProtocolConnection }).connection.parsedStatements[statement.name] === statement.text;
  }
}
