import { createRequire } from 'node:module';

/**
 * drizzle-orm, loaded through its CommonJS build. Imported as ES modules, Node 24's loader parses
 * drizzle's 178 KB package.json again for each of its modules: measured here, importing
 * `drizzle-orm/node-postgres` took 622 ms and left the process at 285 MB of RSS on Node 24
 * (120 ms and 59 MB on Node 20), against 114 ms and 67 MB through `require`. Every value the
 * project takes from drizzle comes from here, so that one copy of its classes is loaded (its
 * `is()` checks compare them); types are imported from 'drizzle-orm' as usual.
 */
const load = createRequire(import.meta.url);

const core = load('drizzle-orm') as typeof import('drizzle-orm');
export const { and, asc, count, desc, eq, inArray, isNull, lt, lte, or, sql } = core;

export const pgCore = load('drizzle-orm/pg-core') as typeof import('drizzle-orm/pg-core');
export const sqliteCore = load('drizzle-orm/sqlite-core') as typeof import('drizzle-orm/sqlite-core');
export const { drizzle: drizzlePg } = load('drizzle-orm/node-postgres') as typeof import('drizzle-orm/node-postgres');
export const { drizzle: drizzleSqlite } = load('drizzle-orm/better-sqlite3') as typeof import('drizzle-orm/better-sqlite3');
export const { migrate: migratePg } = load('drizzle-orm/node-postgres/migrator') as typeof import('drizzle-orm/node-postgres/migrator');
export const { migrate: migrateSqlite } = load(
  'drizzle-orm/better-sqlite3/migrator',
) as typeof import('drizzle-orm/better-sqlite3/migrator');
