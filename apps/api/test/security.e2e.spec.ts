import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backends, realBackend } from './support/backends.js';
import { Harness } from './support/harness.js';

const HOLD = '/api/seats/hold-bulk';
const BOOK = '/api/seats/book-bulk';
const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';

const hs256 = (subject: string, secret = SECRET) =>
  new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(subject).setExpirationTime('5m').sign(new TextEncoder().encode(secret));

describe.each(backends)('rate limits on $name', (backend) => {
  let api: Harness;

  beforeAll(async () => {
    if (backend.available) api = await Harness.start(backend, { RATE_LIMIT_USER_PER_MINUTE: '3', RATE_LIMIT_IP_PER_MINUTE: '8' });
  });
  afterAll(async () => api?.close());

  it.skipIf(!backend.available)('refuses a user past the limit with a 429 problem and Retry-After, and counts nothing else', async () => {
    const { seatIds } = await api.newShow();
    for (let i = 0; i < 3; i++) expect((await api.post(HOLD, { seatIds: [seatIds[i]], userId: 'eager' })).status).toBe(201);
    const refused = await api.post(HOLD, { seatIds: [seatIds[3]], userId: 'eager' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Refused before anything ran: the seat is still free, and another user is unaffected.
    expect((await api.get(`/api/seats/${seatIds[3].replace(/-[A-Z]\d+$/, '')}`)).body.seats[3].status).toBe('AVAILABLE');
    expect((await api.post(HOLD, { seatIds: [seatIds[3]], userId: 'patient' })).status).toBe(201);
  });

  it.skipIf(!backend.available)('limits one address across users', async () => {
    const { seatIds } = await api.newShow();
    // 4 writes so far from this address in this window (previous test), the limit is 8.
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await api.post(HOLD, { seatIds: [seatIds[i]], userId: `crowd-${i}` })).status);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(0);
    expect(statuses.slice(0, statuses.indexOf(429))).toEqual(statuses.slice(0, statuses.indexOf(429)).map(() => 201));
  });
});

describe.skipIf(!realBackend.available)('rate limits across instances', () => {
  let a: Harness;
  let b: Harness;

  beforeAll(async () => {
    a = await Harness.start(realBackend, { RATE_LIMIT_USER_PER_MINUTE: '2' });
    b = await Harness.alongside(a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('shares one budget per user between instances (counters in Redis)', async () => {
    const { seatIds } = await a.newShow();
    expect((await a.post(HOLD, { seatIds: [seatIds[0]], userId: 'roamer' })).status).toBe(201);
    expect((await b.post(HOLD, { seatIds: [seatIds[1]], userId: 'roamer' })).status).toBe(201);
    expect((await a.post(HOLD, { seatIds: [seatIds[2]], userId: 'roamer' })).status).toBe(429);
    expect((await b.post(HOLD, { seatIds: [seatIds[2]], userId: 'roamer' })).status).toBe(429);
  });
});

describe.each(backends)('authentication with AUTH_JWT_SECRET on $name', (backend) => {
  let api: Harness;

  beforeAll(async () => {
    if (backend.available) api = await Harness.start(backend, { AUTH_JWT_SECRET: SECRET });
  });
  afterAll(async () => api?.close());

  it.skipIf(!backend.available)('needs a valid Bearer token whose subject is the userId; reads stay open', async () => {
    const { showId, seatIds } = await api.newShow();
    const body = { seatIds: [seatIds[0]], userId: 'alice' };

    const anonymous = await api.post(HOLD, body);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(anonymous.body).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(
      (await api.post(HOLD, body, { authorization: `Bearer ${await hs256('alice', 'another-secret-that-is-long-enough-too')}` })).status,
    ).toBe(401);
    expect((await api.post(HOLD, body, { authorization: 'Bearer not-a-token' })).status).toBe(401);

    const asBob = await api.post(HOLD, body, { authorization: `Bearer ${await hs256('bob')}` });
    expect(asBob.status).toBe(403);
    expect(asBob.body).toMatchObject({ code: 'FORBIDDEN' });

    const key = randomUUID();
    const alice = { authorization: `Bearer ${await hs256('alice')}` };
    expect((await api.post(HOLD, body, { ...alice, 'idempotency-key': key })).status).toBe(201);
    expect((await api.post(BOOK, body, alice)).status).toBe(201);
    // Bob cannot read Alice's stored response by replaying her key in her name.
    expect((await api.post(HOLD, body, { authorization: `Bearer ${await hs256('bob')}`, 'idempotency-key': key })).status).toBe(403);
    expect((await api.get(`/api/seats/${showId}`)).status).toBe(200);
  });
});

describe('authentication with AUTH_JWKS_URL', () => {
  let api: Harness;
  let jwks: Server;
  let sign: (subject: string) => Promise<string>;

  beforeAll(async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
    sign = (subject) =>
      new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'test-key' }).setSubject(subject).setExpirationTime('5m').sign(privateKey);
    jwks = createServer((_request, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })),
    );
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const { port } = jwks.address() as { port: number };
    api = await Harness.start(backends[0], { AUTH_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json` });
  });
  afterAll(async () => {
    await api?.close();
    jwks?.close();
  });

  it('accepts RS256 tokens signed by a key of the set, and nothing else', async () => {
    const { seatIds } = await api.newShow();
    const body = { seatIds: [seatIds[0]], userId: 'carol' };
    expect((await api.post(HOLD, body, { authorization: `Bearer ${await hs256('carol')}` })).status).toBe(401);
    expect((await api.post(HOLD, body, { authorization: `Bearer ${await sign('dave')}` })).status).toBe(403);
    expect((await api.post(HOLD, body, { authorization: `Bearer ${await sign('carol')}` })).status).toBe(201);
  });
});

describe('HTTP hardening', () => {
  let api: Harness;
  let open: Harness;

  beforeAll(async () => {
    api = await Harness.start(backends[0]);
    open = await Harness.start(backends[0], { CORS_ORIGINS: 'https://tickets.example', TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => {
    await open?.close();
    await api?.close();
  });

  it('sends security headers on the API and the page', async () => {
    for (const path of ['/api/seats/shows', '/']) {
      const reply = await api.get(path);
      expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
      expect(reply.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      expect(reply.headers.get('x-powered-by')).toBeNull();
    }
  });

  it("looks for the page's files only outside the API's paths", async () => {
    const stat = vi.spyOn(fs, 'stat');
    try {
      const { showId } = await api.newShow();
      stat.mockClear();
      for (const path of [`/api/seats/${showId}/layout`, `/api/seats/${showId}/status`, '/api/seats/shows', '/health/live', '/metrics']) {
        expect((await api.get(path)).status).toBe(200);
      }
      expect((await api.get('/api/no-such-route')).status).toBe(404);
      expect(stat).not.toHaveBeenCalled();
      const page = await api.get('/');
      expect(page.status).toBe(200);
      expect(String(page.body)).toContain('seatBookingPrefetch');
      expect(stat).toHaveBeenCalled();
    } finally {
      stat.mockRestore();
    }
  });

  it("lets the page's own inline script run, and no other", async () => {
    const page = await api.get('/');
    const inline = [...String(page.body).matchAll(/<script>([\s\S]*?)<\/script>/g)].map(([, body]) => body);
    expect(inline).toHaveLength(1);
    expect(inline[0]).toContain('seatBookingPrefetch');
    const hash = createHash('sha256').update(inline[0]).digest('base64');
    const scriptSrc = /script-src ([^;]*)/.exec(page.headers.get('content-security-policy') ?? '')?.[1].split(' ');
    expect(scriptSrc).toEqual(["'self'", `'sha256-${hash}'`]);
    expect(scriptSrc).not.toContain("'unsafe-inline'");
  });

  it('sends HSTS and upgrade-insecure-requests only on answers to HTTPS requests', async () => {
    const overHttps = { 'x-forwarded-proto': 'https' };
    for (const path of ['/api/seats/shows', '/']) {
      // Plain HTTP: the page must load its script and stylesheet over http.
      const plain = await open.request('GET', path);
      expect(plain.headers.get('strict-transport-security')).toBeNull();
      expect(plain.headers.get('content-security-policy')).not.toMatch(/upgrade-insecure-requests/);
      expect(plain.headers.get('content-security-policy')).toMatch(/script-src 'self'/);

      // HTTPS terminated by a trusted proxy (TRUST_PROXY covers loopback here).
      const forwarded = await open.request('GET', path, undefined, overHttps);
      expect(forwarded.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(forwarded.headers.get('content-security-policy')).toMatch(/upgrade-insecure-requests/);

      // The same header from an untrusted client (no TRUST_PROXY) is not believed.
      const untrusted = await api.request('GET', path, undefined, overHttps);
      expect(untrusted.headers.get('strict-transport-security')).toBeNull();
      expect(untrusted.headers.get('content-security-policy')).not.toMatch(/upgrade-insecure-requests/);
    }
  });

  it('allows cross-origin calls only from CORS_ORIGINS', async () => {
    const preflight = (harness: Harness) =>
      harness.request('OPTIONS', HOLD, undefined, {
        origin: 'https://tickets.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,idempotency-key',
      });
    expect((await preflight(api)).headers.get('access-control-allow-origin')).toBeNull();
    const allowed = await preflight(open);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://tickets.example');
    const other = await open.request('GET', '/api/seats/shows', undefined, { origin: 'https://evil.example' });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
