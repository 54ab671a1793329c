import { type LoadSummary, round } from './load.js';

export interface Throughput extends LoadSummary {
  /** For hold+book: completed pairs per second. */
  pairsPerSecond?: number;
  /** For hold+book: transaction attempts repeated after a serialization failure (or deadlock), per booking made. */
  retriesPerBooking?: number;
  /** For hold+book: database transactions per pair (expiry wake-ups included), from the service's metrics. */
  transactionsPerPair?: number;
  /** For hold+book: the share of `seats` updates that were heap-only (HOT), from pg_stat_user_tables. */
  hotUpdateShare?: number;
  /** CPU ms per completed pair (hold+book) or per request (holds), by process: service, PostgreSQL, Redis, load generator. */
  cpuMsPerPair?: { service: number; postgres: number; redis: number; load: number };
  cpuMsPerRequest?: { service: number; postgres: number; redis: number; load: number };
  /** The service's write system calls per pair or per request (`syscw`). */
  writeSyscallsPerPair?: number;
  writeSyscallsPerRequest?: number;
}

/** The bench's results as the Markdown tables of `.bench/results.md`. */
export function markdown(r: any): string {
  const t = (s: Throughput) => `${s.perSecond} req/s | ${s.p50} / ${s.p95} / ${s.p99} ms | ${JSON.stringify(s.statuses)}`;
  return [
    `Machine: ${r.machine.cpus} × ${r.machine.model}, ${r.machine.memoryGb} GiB, Node ${r.machine.node}; ${r.date}${r.settings.quick ? ' (quick run)' : ''}.`,
    `Load: closed loop, ${r.settings.connections} connections from one Node process on the same machine.`,
    '',
    '| scenario | throughput | p50 / p95 / p99 | answers |',
    '|---|---|---|---|',
    `| contention: ${r.contention.vus} users, 10 seats — holds | ${t(r.contention.holds)} |`,
    `| contention — books | ${t(r.contention.books)} |`,
    `| holds, distinct seats | ${t(r.holdsDistinct)} |`,
    `| holds, contended seats | ${t(r.holdsContended)} |`,
    `| hold + book, distinct seats (per pair) | ${r.holdBook.pairsPerSecond} pairs/s | ${r.holdBook.p50} / ${r.holdBook.p95} / ${r.holdBook.p99} ms | ${JSON.stringify(r.holdBook.statuses)} |`,
    `| the same with 20,000 live holds elsewhere in the table | ${r.holdBookWithLiveHolds.pairsPerSecond} pairs/s | ${r.holdBookWithLiveHolds.p50} / ${r.holdBookWithLiveHolds.p95} / ${r.holdBookWithLiveHolds.p99} ms | ${JSON.stringify(r.holdBookWithLiveHolds.statuses)} |`,
    `| floor: http + one Redis SET NX PX | ${t(r.floors.redis)} |`,
    `| floor: Nest (express) controller + one Redis SET NX PX | ${t(r.floors.nestRedis)} |`,
    `| floor: http + one PostgreSQL conditional UPDATE | ${t(r.floors.postgres)} |`,
    '',
    '| check | result |',
    '|---|---|',
    `| contention: seats sold / double sales / 5xx | ${r.contention.seatsSold} / ${r.contention.doubleSales} / ${r.contention.serverErrors} |`,
    `| contention: replays faithful / unfaithful / in flight | ${r.contention.replays.faithful} / ${r.contention.replays.unfaithful} / ${r.contention.replays.inFlight} |`,
    `| contended holds ÷ Redis floor | ${r.ratios.contendedHoldsToRedisFloor} |`,
    `| contended holds ÷ Nest + Redis floor (target ≥ 0.5) | ${r.ratios.contendedHoldsToNestRedisFloor} |`,
    `| Nest + Redis floor ÷ Redis floor (the framework's share) | ${r.ratios.nestRedisFloorToRedisFloor} |`,
    `| distinct holds ÷ Redis floor | ${r.ratios.distinctHoldsToRedisFloor} |`,
    `| distinct holds ÷ PostgreSQL floor (target ≥ 0.3) | ${r.ratios.distinctHoldsToPostgresFloor} |`,
    `| hold+book pairs ÷ PostgreSQL floor (target ≥ 0.15) | ${r.ratios.holdBookPairsToPostgresFloor} |`,
    `| hold+book: booking attempts repeated on 40001, per booking (target < 5 %) | ${round(100 * r.holdBook.retriesPerBooking, 1)} % |`,
    `| hold+book: seat updates that were HOT (heap-only) | ${round(100 * r.holdBook.hotUpdateShare, 0)} % |`,
    `| hold+book CPU ms per pair: service / PostgreSQL / Redis / load generator; service write syscalls per pair | ${costLine(r.holdBook.cpuMsPerPair)}; ${r.holdBook.writeSyscallsPerPair} |`,
    `| contended holds CPU ms per request: service / PostgreSQL / Redis / load generator; service write syscalls per request | ${costLine(r.holdsContended?.cpuMsPerRequest)}; ${r.holdsContended?.writeSyscallsPerRequest} |`,
    ...(r.leanFloor
      ? [
          `| lean floor (the same Redis commands and statements on bare node:http): hold + book pairs/s, service ÷ lean | ${r.leanFloor.holdBook.service.pairsPerSecond} / ${r.leanFloor.holdBook.lean.pairsPerSecond} = ${r.leanFloor.ratios.pairsPerSecondToLean} (target ≥ 0.9) |`,
          `| CPU ms per pair, service ÷ lean | ${costLine(r.leanFloor.holdBook.service.cpuMsPerPair)} ÷ ${costLine(r.leanFloor.holdBook.lean.cpuMsPerPair)}: ${r.leanFloor.ratios.serviceCpuPerPairToLean} (target ≤ 1.25); write syscalls ${r.leanFloor.holdBook.service.writeSyscallsPerPair} / ${r.leanFloor.holdBook.lean.writeSyscallsPerPair} |`,
          `| contended holds: CPU ms per refusal, service ÷ lean | ${r.leanFloor.holdsContended.service.cpuMsPerRequest.service} ÷ ${r.leanFloor.holdsContended.lean.cpuMsPerRequest.service} = ${r.leanFloor.ratios.serviceCpuPerRefusalToLean} (target ≤ 1.3) |`,
          `| framework floor: CPU ms per refusal (one Redis SET NX PX), bare http / Nest controller / Nest pipeline, each part doing nothing | ${r.leanFloor.frameworkFloor.http.cpuMsPerRequest} / ${r.leanFloor.frameworkFloor.nest.cpuMsPerRequest} / ${r.leanFloor.frameworkFloor.nestPipeline.cpuMsPerRequest}: the framework alone adds ${r.leanFloor.frameworkFloor.leastFrameworkMsPerRefusal} ms, where the refusal target leaves ${r.leanFloor.frameworkFloor.refusalAllowanceMs} ms |`,
        ]
      : []),
    `| hold+book p50 with 20,000 live holds ÷ without (target ≤ 1.1) | ${r.ratios.holdBookP50WithLiveHoldsToWithout} |`,
    `| expiry → event, ${r.expiry.holds} holds: median / p99 / worst (target p99 < 1 s) | ${r.expiry.medianMs} / ${r.expiry.p99Ms} / ${r.expiry.worstMs} ms (${r.expiry.freed} freed) |`,
    `| fan-out to ${r.fanout.clients} clients: median / p99 / worst (target p99 < 100 ms) | ${r.fanout.medianMs} / ${r.fanout.p99Ms} / ${r.fanout.worstMs} ms (${r.fanout.deliveries} of ${r.fanout.expected} delivered) |`,
    `| peak RSS of the service: write-path scenarios (target ≤ 300 MiB) / the whole run, stadium included | ${r.peakRssBeforeStadiumMb} / ${r.peakRssMb} MiB |`,
    '',
    ...(r.venue ? venueMarkdown(r.venue) : []),
    ...(r.webhooks
      ? [
          `Webhooks: ${r.webhooks.buyers} buyers booking ${r.webhooks.pairsPerSecond} pairs/s; ${r.webhooks.received} of ${r.webhooks.booked} booking.confirmed received (${r.webhooks.repeated} repeated); committed → received p50 ${r.webhooks.committedToReceivedMs.p50} ms, p99 ${r.webhooks.committedToReceivedMs.p99} ms (target ≤ 1,000), max ${r.webhooks.committedToReceivedMs.max} ms.`,
          '',
        ]
      : []),
    ...(r.sellerRecords ? [sellerRecordsLine(r.sellerRecords), ''] : []),
    ...(r.redisMemory ? [redisMemoryLine(r.redisMemory), ''] : []),
    ...(r.stadium ? stadiumMarkdown(r.stadium) : []),
  ].join('\n');
}

/** The seller-records scenario in one line: pairs per second with the rows written ÷ discarded. */
export function sellerRecordsLine(r: any): string {
  const cpu = (phase: any) => `${phase.cpuMsPerPair.service} / ${phase.cpuMsPerPair.postgres}`;
  return (
    `Seller's records: hold + book with history and outbox rows written ${r.on.medianPairsPerSecond} pairs/s ` +
    `(${r.on.pairsPerSecond.join(', ')}), discarded ${r.off.medianPairsPerSecond} (${r.off.pairsPerSecond.join(', ')}): ` +
    `**${r.pairsPerSecondRatio}** (target ≥ 0.9; per round ${r.roundRatios.join(', ')}); CPU ms per pair, service / PostgreSQL: ` +
    `${cpu(r.on)} written, ${cpu(r.off)} discarded.`
  );
}

export function venueMarkdown(v: any): string[] {
  const line = (name: string, p: any) =>
    `| ${name} | ${p.pairsPerSecond} pairs/s | ${p.p50} / ${p.p95} / ${p.p99} ms | ${p.serviceCpuMsPerPair} | ${p.seatsSold} | ${JSON.stringify(p.statuses)} |`;
  const f = v.floor;
  return [
    `Selling a ${v.seats}-seat show (hold 2, then book them, until a third is sold), two shows side by side:`,
    '',
    '| way of holding | pairs/s | hold p50 / p95 / p99 | service CPU ms per pair | seats sold | hold answers |',
    '|---|---|---|---|---|---|',
    line('`hold-bulk` of 2 given neighbours', v.holdBulk),
    line('`hold-best` of 2', v.holdBest),
    '',
    `hold-best ÷ hold-bulk ${v.bestToBulk} (target ≥ 0.8); pairs not side by side ${v.holdBest.notAdjacent}; seats held twice ${v.holdBest.heldTwice}; double sales in the database ${v.doubleSales}.`,
    `Standing floor of ${f.capacity} places, ${f.buyers} buyers of 1–4 places: ${f.holds.perSecond} holds/s (p99 ${f.holds.p99} ms), ${f.placesPerSecond} places/s, ${f.placesSold} sold in ${f.holds.seconds} s; in the database ${f.soldInDatabase} sold of ${f.placesInDatabase} places (over capacity: ${f.overCapacity}); service CPU ${f.serviceCpuMsPerPlace} ms per place.`,
    '',
  ];
}

export function stadiumMarkdown(s: any): string[] {
  const service = (p: any) =>
    p.cpuSeconds.live === undefined ? p.cpuSeconds.service : `${p.cpuSeconds.service} + ${p.cpuSeconds.live} (live)`;
  const cpu = (p: any) => `${service(p)} / ${p.cpuSeconds.postgres} / ${p.cpuSeconds.redis} / ${p.cpuSeconds.load}`;
  const buyers = (p: any) =>
    p.buyers ? `${p.buyers.pairsPerSecond} pairs/s, hold p99 ${p.buyers.holds.p99} ms, ${JSON.stringify(p.buyers.answers)}` : '';
  const fans = (p: any) =>
    p.deliveries !== undefined
      ? `${p.deliveries} events (${p.changesDelivered} changes, ${p.megabytesDelivered} MB), arrival p50 ${p.arrivalP50Ms} / p99 ${p.arrivalP99Ms} ms (written to the last socket: p99 ≤ ${p.writtenP99Ms} ms)`
      : '';
  const reads = (p: any) => {
    const r = p.statusReads ?? p.layoutReads;
    return r ? `${r.perSecond} reads/s, p99 ${r.p99} ms, ${r.bytesPerRead} B/read ${JSON.stringify(r.statuses)}` : '';
  };
  const size = (b: { json: number; gzip: number }) => `${Math.round(b.json / 1024)} KB / ${Math.round(b.gzip / 1024)} KB gzipped`;
  return [
    `Stadium on Node ${s.node}: ${s.seats} seats created through the admin API in ${s.createMs} ms; full map ${size(s.bytes.map)}, layout ${size(s.bytes.layout)}, status ${size(s.bytes.status)}; ${s.fans} fans subscribed from 4 processes.`,
    '',
    '| stadium phase | s | CPU s: service / PostgreSQL / Redis / load | buyers | fans | reads |',
    '|---|---|---|---|---|---|',
    ...s.phases.map((p: any) => `| ${p.name} | ${p.seconds} | ${cpu(p)} | ${buyers(p)} | ${fans(p)} | ${reads(p)} |`),
    '',
    `Targets: buyer answers with fans ${JSON.stringify(s.buyers.answers)} (no 503); pairs/s with fans ÷ without ${round(s.buyers.pairsPerSecond / s.buyersWithoutFans.pairsPerSecond, 2)} (≥ 0.7); change → arrival p99 ${s.arrivalP99Ms} ms (≤ 250); status reads ${s.statusReads.perSecond}/s p99 ${s.statusReads.p99Ms} ms (≥ 1,000/s, ≤ 250 ms); layout 304s ${s.layoutNotModifiedPerSecond}/s (≥ 10,000); 503s by dependency ${JSON.stringify(s.unavailableBy)}.`,
    `Show list with ${s.showList.seatsInDatabase} seats in the database: cold ${s.showList.coldMs} ms, warm p50 ${s.showList.warmP50} ms, p99 ${s.showList.warmP99} ms.`,
    '',
  ];
}

const costLine = (c?: { service: number; postgres: number; redis: number; load: number }) =>
  c ? `${c.service} / ${c.postgres} / ${c.redis} / ${c.load}` : '–';

export function redisMemoryLine(m: any): string {
  return (
    `Redis memory: a ${m.seats.toLocaleString('en')}-seat show, ${m.sold.toLocaleString('en')} seats sold: used_memory ${m.usedMemoryBeforeMb} → ${m.usedMemoryAfterSaleMb} MiB ` +
    `(${m.bytesPerSoldSeat} bytes per sold seat, ${m.idempotencyRecordsOfTheSale.toLocaleString('en')} idempotency records among it; the show's own keys: ${m.showKeysAfterSale.toLocaleString('en')}); ` +
    `after the show's start and grace: ${m.usedMemoryAfterGraceMb} MiB (${m.bytesPerSoldSeatAfterGrace} bytes per sold seat, the idempotency records' until their TTL), the show's keys: ${m.showKeysAfterGrace}.`
  );
}
