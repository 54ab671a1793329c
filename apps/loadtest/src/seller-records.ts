import type { PostgresDatabase } from '@app/db';
import { log, pids, quick, seconds } from './bench-setup.js';
import { percentile, round } from './load.js';
import type { Throughput } from './report.js';
import { holdBookLoop } from './write-path.js';

/** The tables of the seller's records that a hold + book writes to. */
const RECORD_TABLES = ['seat_history', 'outbox_messages'];

/**
 * What the seller's records cost a buyer: hold + book pairs with the seat history and outbox rows
 * written ("on") and with the same rows discarded ("off"), alternated in one service process on one
 * database. Both phases run the same statements through the same BEFORE INSERT trigger on those
 * tables, which keeps each row in one phase and drops it in the other (`CREATE OR REPLACE` of its
 * function between phases), so the phases differ by the rows alone: their inserts, indexes and WAL,
 * and the outbox's dispatching.
 */
export async function sellerRecordsScenario(baseUrl: string, database: PostgresDatabase) {
  const rounds = quick ? 1 : 3;
  log(`10. seller records: hold + book with history and outbox rows written, then discarded, ${rounds} rounds`);
  const pool = database.pool;
  const keep = (on: boolean) =>
    pool.query(
      `create or replace function bench_seller_records() returns trigger language plpgsql as $$ begin return ${on ? 'new' : 'null'}; end $$`,
    );
  await keep(true);
  for (const table of RECORD_TABLES) {
    await pool.query(`create trigger bench_seller_records before insert on ${table} for each row execute function bench_seller_records()`);
  }
  const on: Throughput[] = [];
  const off: Throughput[] = [];
  try {
    // Warm-up, so that neither phase pays for the service's first requests.
    await holdBookLoop(baseUrl, database, pids.service, seconds(3));
    for (let turn = 0; turn < rounds; turn++) {
      // ABBA: on, off, off, on, …, so that neither phase always goes first.
      const order = turn % 2 === 0 ? [true, false] : [false, true];
      for (const records of order) {
        await keep(records);
        (records ? on : off).push(await holdBookLoop(baseUrl, database, pids.service));
      }
    }
  } finally {
    for (const table of RECORD_TABLES) await pool.query(`drop trigger if exists bench_seller_records on ${table}`);
    await pool.query('drop function if exists bench_seller_records()');
  }
  const median = (values: number[], digits = 1) => round(percentile(values, 50), digits);
  const phase = (runs: Throughput[]) => ({
    pairsPerSecond: runs.map((run) => run.pairsPerSecond!),
    medianPairsPerSecond: median(runs.map((run) => run.pairsPerSecond!)),
    cpuMsPerPair: {
      service: median(
        runs.map((run) => run.cpuMsPerPair!.service),
        3,
      ),
      postgres: median(
        runs.map((run) => run.cpuMsPerPair!.postgres),
        3,
      ),
    },
    writeSyscallsPerPair: median(
      runs.map((run) => run.writeSyscallsPerPair!),
      2,
    ),
    statuses: runs.map((run) => run.statuses),
  });
  const withRecords = phase(on);
  const withoutRecords = phase(off);
  return {
    rounds,
    on: withRecords,
    off: withoutRecords,
    pairsPerSecondRatio: round(withRecords.medianPairsPerSecond / withoutRecords.medianPairsPerSecond, 2),
    roundRatios: on.map((run, i) => round(run.pairsPerSecond! / off[i].pairsPerSecond!, 2)),
  };
}
