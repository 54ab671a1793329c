import { createRequire } from 'node:module';

/**
 * drizzle-orm, as the service uses it, loaded through drizzle's CommonJS build.
 *
 * On Node 24, importing `drizzle-orm/node-postgres` as ES modules took 530 ms and left 160 MB of
 * garbage and the process at 284 MB RSS, which V8 kept committed (216 MB after a forced full
 * collection); a start-up profile puts the time in the ES module loader reading package.json files,
 * and drizzle-orm's is 178 KB (its `exports` map) for 400-odd modules. Through `require`: 120 ms
 * and 67 MB. Node 20: 59 MB either way. drizzle recognises its classes across its two builds (`is()` compares
 * a registered symbol, not the class), so types, and tests, may still import `drizzle-orm` itself;
 * the service's values come from here (lint keeps it so).
 *
 * Under drizzle-kit (`npm run db:generate`), which compiles the schema to CommonJS, `require` is
 * already there.
 */
const load: NodeJS.Require = typeof require === 'function' ? require : createRequire(import.meta.url);

const orm = load('drizzle-orm') as typeof import('drizzle-orm');
export const { and, asc, count, desc, eq, inArray, isNull, lt, lte, or, sql } = orm;

/** Column and table builders of each dialect, for the schema. */
export const pgCore = load('drizzle-orm/pg-core') as typeof import('drizzle-orm/pg-core');
export const sqliteCore = load('drizzle-orm/sqlite-core') as typeof import('drizzle-orm/sqlite-core');

/** The drivers and their migrators. */
export const { drizzle: drizzlePg } = load('drizzle-orm/node-postgres') as typeof import('drizzle-orm/node-postgres');
export const { migrate: migratePg } = load('drizzle-orm/node-postgres/migrator') as typeof import('drizzle-orm/node-postgres/migrator');
export const { drizzle: drizzleSqlite } = load('drizzle-orm/better-sqlite3') as typeof import('drizzle-orm/better-sqlite3');
export const { migrate: migrateSqlite } = load(
  'drizzle-orm/better-sqlite3/migrator',
) as typeof import('drizzle-orm/better-sqlite3/migrator');
