export { Database, type Db, type DbClock, type Tables, type TransactionOptions } from './database.js';
export { DbModule, openDatabase } from './db.module.js';
export { isUniqueViolation, PostgresDatabase, sqlState } from './postgres.database.js';
export { retrying, type RetryPolicy } from './retry.js';
export { createShow, DEMO_SHOWS, seatId, seedDemoShows, type ShowSpec } from './seed.js';
export { SqliteDatabase } from './sqlite.database.js';
