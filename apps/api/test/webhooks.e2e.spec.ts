import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './support/backends.js';
import { Harness } from './support/harness.js';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** A receiver on this machine: records every request and answers what `answer` says. */
class Receiver {
  readonly received: Received[] = [];
  answer: (index: number) => number = () => 200;
  private constructor(private readonly server: Server) {}

  static async start(): Promise<Receiver> {
    const receiver: Receiver = new Receiver(
      createServer((request, response) => {
        let body = '';
        request.on('data', (chunk) => (body += chunk));
        request.on('end', () => {
          receiver.received.push({ headers: request.headers, body, at: Date.now() });
          response.writeHead(receiver.answer(receiver.received.length - 1)).end();
        });
      }),
    );
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}/hooks`;
  }

  messages(type?: string) {
    return this.received.map((r) => ({ ...r, json: JSON.parse(r.body) })).filter((r) => !type || r.json.type === type);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Standard Webhooks, checked independently of the service's library: HMAC-SHA256 of `id.timestamp.body` with the secret's bytes. */
function verify(secret: string, { headers, body }: Received): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key)
    .update(`${String(headers['webhook-id'])}.${String(headers['webhook-timestamp'])}.${body}`)
    .digest();
  return String(headers['webhook-signature'])
    .split(' ')
    .some((signature) => {
      const [version, value] = signature.split(',');
      const given = Buffer.from(value ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

const until = async (what: string, check: () => boolean, ms = 8000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
};

describe.each(backends)('booking webhooks on $name', (backend) => {
  let api: Harness;
  let receiver: Receiver;

  beforeAll(async () => {
    if (!backend.available) return;
    api = await Harness.start(backend, { WEBHOOK_ALLOW_PRIVATE_URLS: 'true', WEBHOOK_RETRY_SCHEDULE: '1,1' });
  });
  afterAll(async () => {
    await api?.close();
  });

  const subscribe = async (url: string, events = ['booking.confirmed', 'booking.cancelled']) => {
    const reply = await api.admin('POST', '/api/admin/webhooks', { url, events });
    expect(reply.status).toBe(201);
    return reply.body as { id: string; url: string; events: string[]; enabled: boolean; secret: string };
  };
  const book = async (showId: string, seatIds: string[], userId: string) => {
    expect((await api.post('/api/seats/hold-bulk', { seatIds, userId })).status).toBe(201);
    const booking = await api.post('/api/seats/book-bulk', { seatIds, userId });
    expect(booking.status).toBe(201);
    return booking.body;
  };

  describe.skipIf(!backend.available)('endpoints', () => {
    it('sends booking.confirmed and booking.cancelled, signed, with the booking; a refused booking sends nothing', async () => {
      receiver = await Receiver.start();
      try {
        const endpoint = await subscribe(receiver.url);
        expect(endpoint).toMatchObject({ url: receiver.url, enabled: true, events: ['booking.confirmed', 'booking.cancelled'] });
        expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
        const listed = (await api.admin('GET', '/api/admin/webhooks')).body.find((e: { id: string }) => e.id === endpoint.id);
        expect(listed).toEqual({ id: endpoint.id, url: receiver.url, events: endpoint.events, enabled: true });

        const { showId, seatIds } = await api.newShow(1, 6);
        // Refused: seat 2 is not held by this user. No message for it, ever.
        expect((await api.post('/api/seats/hold-bulk', { seatIds: [seatIds[0]], userId: 'ivy' })).status).toBe(201);
        expect((await api.post('/api/seats/book-bulk', { seatIds: [seatIds[0], seatIds[1]], userId: 'ivy' })).status).toBe(409);
        // Asked for in reverse: the message carries the booking as its lookup answers it (layout order).
        const booking = await book(showId, [seatIds[3], seatIds[2]], 'jay');
        const lookedUp = await api.get(`/api/bookings/${booking.bookingId}`);
        expect(lookedUp.body.seatIds).toEqual([seatIds[2], seatIds[3]]);
        await until('the confirmation', () => receiver.messages('booking.confirmed').length === 1);
        const cancelled = await api.post(`/api/bookings/${booking.bookingId}/cancel`, { userId: 'jay', seatIds: [seatIds[3]] });
        expect(cancelled.status).toBe(200);
        await until('the cancellation', () => receiver.messages('booking.cancelled').length === 1);
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(receiver.received).toHaveLength(2);

        const [confirmed, cancellation] = receiver.messages();
        for (const message of [confirmed, cancellation]) {
          expect(verify(endpoint.secret, message)).toBe(true);
          expect(message.headers['content-type']).toBe('application/json');
          expect(message.headers['webhook-id']).toMatch(/^msg_[0-9a-f]{32}$/);
          expect(Math.abs(Number(message.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(30);
          // Tampering is caught by the same check.
          expect(verify(endpoint.secret, { ...message, body: message.body.replace('jay', 'joe') })).toBe(false);
        }
        expect(confirmed.json).toEqual({ type: 'booking.confirmed', timestamp: booking.createdAt, data: lookedUp.body });
        expect(cancellation.json.type).toBe('booking.cancelled');
        expect(cancellation.json.data).toEqual({ ...cancelled.body, cancelledNow: [seatIds[3]] });
        expect(cancellation.headers['webhook-id']).not.toBe(confirmed.headers['webhook-id']);

        const deliveries = (await api.admin('GET', `/api/admin/webhooks/${endpoint.id}/deliveries`)).body;
        expect(deliveries).toEqual([
          expect.objectContaining({
            messageId: cancellation.headers['webhook-id'],
            type: 'booking.cancelled',
            status: 'delivered',
            attempts: 1,
            lastResponseStatus: 200,
            nextAttemptAt: null,
          }),
          expect.objectContaining({
            messageId: confirmed.headers['webhook-id'],
            type: 'booking.confirmed',
            status: 'delivered',
            attempts: 1,
            lastResponseStatus: 200,
          }),
        ]);

        // Replay: the same message again, with the same webhook-id.
        const replay = await api.admin(
          'POST',
          `/api/admin/webhooks/${endpoint.id}/deliveries/${String(confirmed.headers['webhook-id'])}/replay`,
        );
        expect(replay.status).toBe(202);
        await until('the replay', () => receiver.received.length === 3);
        expect(receiver.received[2].headers['webhook-id']).toBe(confirmed.headers['webhook-id']);
        expect(receiver.received[2].body).toBe(confirmed.body);
        expect(verify(endpoint.secret, receiver.received[2])).toBe(true);
        expect((await api.admin('POST', `/api/admin/webhooks/${endpoint.id}/deliveries/msg_nope/replay`)).body.code).toBe(
          'DELIVERY_NOT_FOUND',
        );

        // Deleted: nothing more is sent to it.
        expect((await api.admin('DELETE', `/api/admin/webhooks/${endpoint.id}`)).status).toBe(204);
        expect((await api.admin('DELETE', `/api/admin/webhooks/${endpoint.id}`)).body.code).toBe('WEBHOOK_NOT_FOUND');
        await book(showId, [seatIds[4]], 'kim');
        await new Promise((resolve) => setTimeout(resolve, 700));
        expect(receiver.received).toHaveLength(3);
      } finally {
        await receiver.close();
      }
    });

    it('retries with the same webhook-id until a 2xx, and a 410 disables the endpoint', async () => {
      receiver = await Receiver.start();
      const gone = await Receiver.start();
      try {
        receiver.answer = (i) => (i < 2 ? 503 : 204);
        gone.answer = () => 410;
        const flaky = await subscribe(receiver.url, ['booking.confirmed']);
        const leaving = await subscribe(gone.url, ['booking.confirmed']);
        const { showId, seatIds } = await api.newShow(1, 4);
        await book(showId, [seatIds[0]], 'lea');
        // WEBHOOK_RETRY_SCHEDULE=1,1: attempts at 0 s, 1 s and 2 s.
        await until('three attempts', () => receiver.received.length === 3, 10_000);
        expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
        expect(receiver.received.every((r) => verify(flaky.secret, r))).toBe(true);
        await expect
          .poll(async () => (await api.admin('GET', `/api/admin/webhooks/${flaky.id}/deliveries`)).body[0], { timeout: 5000 })
          .toMatchObject({ status: 'delivered', attempts: 3, lastResponseStatus: 204 });

        await until('the 410', () => gone.received.length === 1);
        await expect
          .poll(
            async () => (await api.admin('GET', '/api/admin/webhooks')).body.find((e: { id: string }) => e.id === leaving.id)?.enabled,
            {
              timeout: 5000,
            },
          )
          .toBe(false);
        const [failed] = (await api.admin('GET', `/api/admin/webhooks/${leaving.id}/deliveries`)).body;
        expect(failed).toMatchObject({ status: 'failed', attempts: 1, lastResponseStatus: 410 });
        // Disabled: the next booking is not sent to it.
        await book(showId, [seatIds[1]], 'max');
        await until('the next message to the other endpoint', () => receiver.received.length === 4);
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(gone.received).toHaveLength(1);
        await api.admin('DELETE', `/api/admin/webhooks/${flaky.id}`);
        await api.admin('DELETE', `/api/admin/webhooks/${leaving.id}`);
      } finally {
        await receiver.close();
        await gone.close();
      }
    });

    it('refuses bad endpoints: not http(s), unknown events, and private addresses unless allowed', async () => {
      const refused = async (body: unknown, on = api) => {
        const reply = await on.admin('POST', '/api/admin/webhooks', body);
        expect(reply.status).toBe(400);
        return reply.body.detail as string;
      };
      expect(await refused({ url: 'ftp://example.com/x', events: ['booking.confirmed'] })).toMatch(/url must be http or https/);
      expect(await refused({ url: 'https://example.com/x', events: ['booking.sold'] })).toMatch(
        /events\[0\] must be one of booking\.confirmed, booking\.cancelled/,
      );
      expect(await refused({ url: 'https://example.com/x', events: [] })).toMatch(/events/);
      const strict = await Harness.alongside(api, { webhooks: { allowPrivateUrls: false, retrySchedule: [1] } });
      try {
        for (const url of [
          'http://127.0.0.1:9/x',
          'http://10.1.2.3/x',
          'http://[::1]/x',
          'http://169.254.169.254/latest',
          'http://localhost/x',
          'http://[::ffff:192.168.0.1]/x',
        ]) {
          expect(await refused({ url, events: ['booking.confirmed'] }, strict)).toMatch(/private, loopback or link-local/);
        }
      } finally {
        await strict.close();
      }
    });
  });
});
