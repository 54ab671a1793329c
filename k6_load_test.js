// k6 load test: 500 virtual users fight over the same few seats.
//
//   k6 run k6_load_test.js
//   k6 run -e BASE_URL=http://localhost:8080 -e SHOW_ID=neon-nights -e SEATS=A1,A2,A3 k6_load_test.js
//
// Every virtual user, in a loop: hold two of the contested seats (all-or-nothing), and if that
// worked, book them. Every request carries its own Idempotency-Key; a share of requests is sent a
// second time with the same key (a double click, a retry after a timeout), and the second answer
// must be the first one replayed. The summary counts successful holds and bookings per seat: no
// seat may ever be booked more than once.
//
// `npm run loadtest` runs the same scenario from Node (apps/loadtest), where k6 is not installed;
// apps/loadtest/test checks that both send the same requests.

import { check, sleep } from 'k6';
import http from 'k6/http';
import { Counter, Rate, Trend } from 'k6/metrics';

const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:3000').replace(/\/$/, '');
const SHOW_ID = __ENV.SHOW_ID || 'neon-nights';
const SEATS = (__ENV.SEATS || 'A1,A2,A3,A4,A5,A6,A7,A8,A9,A10').split(',').map((label) => `${SHOW_ID}-${label.trim()}`);
const VUS = Number(__ENV.VUS || 500);
const DURATION = __ENV.DURATION || '30s';
const RETRY_RATE = Number(__ENV.RETRY_RATE || 0.2);
const SEATS_PER_HOLD = 2;

const HOLD_PATH = '/api/seats/hold-bulk';
const BOOK_PATH = '/api/seats/book-bulk';

// 409 (someone else got the seat) is a correct answer under contention, not a failure.
http.setResponseCallback(http.expectedStatuses(200, 201, 409));

const holdsGranted = new Counter('holds_granted');
const bookingsConfirmed = new Counter('bookings_confirmed');
const serverErrors = new Counter('server_errors');
const replaysFaithful = new Rate('replays_faithful');
const holdLatency = new Trend('hold_latency', true);
const bookLatency = new Trend('book_latency', true);

// One sub-metric per seat, so the summary can count each seat's holds and bookings.
const perSeat = {};
for (const seat of SEATS) {
  perSeat[`holds_granted{seat:${seat}}`] = ['count>=0'];
  perSeat[`bookings_confirmed{seat:${seat}}`] = ['count<=1']; // sold at most once
}

export const options = {
  scenarios: {
    contention: { executor: 'constant-vus', vus: VUS, duration: DURATION },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'], // anything but 200/201/409
    server_errors: ['count==0'],
    replays_faithful: ['rate==1'],
    checks: ['rate>0.99'],
    ...perSeat,
  },
};

function pickSeats() {
  const chosen = new Set();
  while (chosen.size < SEATS_PER_HOLD) chosen.add(SEATS[Math.floor(Math.random() * SEATS.length)]);
  return [...chosen];
}

function send(path, body, key) {
  return http.post(`${BASE_URL}${path}`, JSON.stringify(body), {
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key },
    tags: { name: path },
  });
}

/** Sends once, and with RETRY_RATE a second time with the same key: the answer must replay. */
function sendMaybeTwice(path, body) {
  const key = uuid();
  const first = send(path, body, key);
  if (first.status >= 500) serverErrors.add(1, { path });
  if (Math.random() < RETRY_RATE && first.status < 500) {
    const again = send(path, body, key);
    const inFlight = again.status === 409 && again.headers['Retry-After'] !== undefined;
    if (!inFlight) replaysFaithful.add(again.status === first.status && again.body === first.body);
  }
  return first;
}

export default function () {
  const userId = `vu-${__VU}`;
  const seatIds = pickSeats();

  const hold = sendMaybeTwice(HOLD_PATH, { seatIds, userId });
  holdLatency.add(hold.timings.duration);
  check(hold, { 'hold answered 201 or 409': (r) => r.status === 201 || r.status === 409 });
  if (hold.status === 201) {
    for (const seat of seatIds) holdsGranted.add(1, { seat });

    const book = sendMaybeTwice(BOOK_PATH, { seatIds, userId });
    bookLatency.add(book.timings.duration);
    check(book, { 'book answered 201 or 409': (r) => r.status === 201 || r.status === 409 });
    if (book.status === 201) for (const seat of seatIds) bookingsConfirmed.add(1, { seat });
  }
  sleep(Math.random() * 0.1);
}

/** After the run: the seat map must agree with the bookings counted. */
export function teardown() {
  const map = http.get(`${BASE_URL}/api/seats/${SHOW_ID}`).json();
  const booked = map.seats.filter((seat) => SEATS.includes(seat.id) && seat.status === 'BOOKED').length;
  console.log(`${booked} of ${SEATS.length} contested seats are BOOKED in the seat map`);
}

export function handleSummary(data) {
  const count = (name) => (data.metrics[name] ? data.metrics[name].values.count : 0);
  const rows = SEATS.map((seat) => {
    const holds = count(`holds_granted{seat:${seat}}`);
    const bookings = count(`bookings_confirmed{seat:${seat}}`);
    return `${seat.padEnd(24)} ${String(holds).padStart(6)} ${String(bookings).padStart(9)}${bookings > 1 ? '  <-- SOLD TWICE' : ''}`;
  });
  const text = [
    '',
    `seat                      holds  bookings   (${VUS} virtual users, ${DURATION})`,
    ...rows,
    '',
    `server errors: ${count('server_errors')}`,
    '',
  ].join('\n');
  return { stdout: text, 'k6-summary.json': JSON.stringify(data, null, 2) };
}

function uuid() {
  return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => {
    const r = (Math.random() * 16) | 0;
    return (c === 'x' ? r : (r & 0x3) | 0x8).toString(16);
  });
}
