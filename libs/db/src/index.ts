export { Database, type Db, type DbClock, type Tables, type TransactionOptions } from './database.js';
export { DbModule, openDatabase } from './db.module.js';
export { and, asc, count, desc, eq, inArray, isNull, lt, lte, or, sql } from './drizzle.js';
export { isUniqueViolation, PostgresDatabase, sqlState } from './postgres.database.js';
export type { NamedStatement } from './transaction-connection.js';
export { backOff, retrying, type RetryPolicy } from './retry.js';
export {
  createShow,
  DEMO_SHOWS,
  expandSeats,
  legacySeatId,
  placeIdOf,
  type LayoutArea,
  type LayoutRow,
  type LayoutSection,
  type Price,
  rowLabel,
  type SeatIdScheme,
  seatIdOf,
  type SeatRow,
  seedDemoShows,
  type ShowLayout,
  type SimpleShow,
  writeShow,
} from './show-writer.js';
export { SqliteDatabase } from './sqlite.database.js';
