import { existsSync, mkdirSync } from 'node:fs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devBackend } from '../../api/test/support/backends.js';
import { Harness } from '../../api/test/support/harness.js';

/**
 * The seat-map page in headless Chromium (Debian's package, driven by playwright-core): two
 * buyers on the same show, each in a browser context of their own. Screenshots of the key states
 * go to test-artifacts/. Outside CI the test skips when Chromium is not installed.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const canRun = process.env.CI === 'true' || existsSync(CHROMIUM);
const ARTIFACTS = new URL('../../../test-artifacts/', import.meta.url);
const HOLD_TTL_SECONDS = 4;
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const NAMED_HOST = 'booking.test';

describe.skipIf(!canRun)('seat-map page in a real browser', () => {
  let api: Harness;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    api = await Harness.start(devBackend, { HOLD_TTL_SECONDS: String(HOLD_TTL_SECONDS), SWEEP_INTERVAL_MS: '500' });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // booking.test resolves to this machine: the page as seen under a server name or LAN address.
      args: [...CHROMIUM_ARGS, `--host-resolver-rules=MAP ${NAMED_HOST} 127.0.0.1`],
    });
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await api?.close();
  });

  async function buyer(name: string, showId: string, on: Harness = api): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.addInitScript((user) => (globalThis as any).localStorage.setItem('seat-booking:user', user), name);
    await page.goto(`${on.baseUrl}/?show=${showId}`);
    await page.getByText(/^Live:/).waitFor();
    return page;
  }

  const seat = (page: Page, label: string) => page.getByRole('button', { name: new RegExp(`^Seat ${label},`) });
  const shot = (page: Page, name: string) => page.screenshot({ path: new URL(`seat-map-${name}.png`, ARTIFACTS).pathname, fullPage: true });

  it('shows holds, conflicts, bookings and expiries to both buyers as they happen', async () => {
    const { showId } = await api.newShow(6, 12);
    const alice = await buyer('alice', showId);
    const bob = await buyer('bob', showId);
    await expect(seat(alice, 'A1').getAttribute('aria-label')).resolves.toBe('Seat A1, free');
    expect(await alice.locator('.stage').textContent()).toMatch(/SCREEN/);

    // Bob picks A2 while it is still free; Alice then holds A1 and A2.
    await seat(bob, 'A2').click();
    await seat(alice, 'A1').click();
    await seat(alice, 'A2').press('Space'); // the keyboard works too
    await alice.getByRole('button', { name: 'Hold 2 seats' }).dblclick(); // a double click holds once
    await alice.getByText(/^Held A1, A2/).waitFor();
    await expect(seat(alice, 'A1').getAttribute('aria-label')).resolves.toBe('Seat A1, held by you');
    await alice
      .locator('#countdown')
      .getByText(/^Hold expires in 0:0[1-4]$/)
      .waitFor();

    // Bob sees both held, live; his pick of A2 is marked as taken.
    await seat(bob, 'A1').and(bob.locator('[data-state="held"]')).waitFor();
    await bob.locator('[aria-label="Seat A2, selected by you, now held by someone"]').waitFor();
    await shot(bob, '1-bob-sees-alice-hold');

    // Bob tries anyway: the service says no, and the page says why.
    await bob.getByRole('button', { name: 'Hold 1 seat' }).click();
    await bob.getByText('Sorry, someone else got A2. Nothing was held; pick other seats.').waitFor();
    await shot(bob, '2-bob-conflict');

    // Alice books; Bob sees the seats sold.
    await alice.getByRole('button', { name: 'Book my seats' }).click();
    await alice.getByText(/^Booked A1, A2/).waitFor();
    await bob.locator('[aria-label="Seat A1, sold"]').waitFor();
    await bob.locator('[aria-label="Seat A2, sold"]').waitFor();
    await shot(alice, '3-alice-booked');

    // Bob holds A5 and leaves it: it expires, and both see it free again.
    await seat(bob, 'A5').click();
    await bob.getByRole('button', { name: 'Hold 1 seat' }).click();
    await bob.getByText(/^Held A5/).waitFor();
    await alice.locator('[aria-label="Seat A5, held by someone"]').waitFor();
    await shot(alice, '4-alice-sees-bob-hold');
    const timeout = (HOLD_TTL_SECONDS + 3) * 1000;
    await alice.locator('[aria-label="Seat A5, free"]').waitFor({ timeout });
    await bob.locator('[aria-label="Seat A5, free"]').waitFor({ timeout });
    await bob.getByText(/Your hold on A5 expired/).waitFor();
    await shot(bob, '5-bob-hold-expired');

    // Exactly one booking for the double click, with both seats.
    const { bookings } = api.database.tables;
    const rows = await api.database.read((db) => db.select().from(bookings));
    expect(rows.filter((row) => row.showId === showId)).toHaveLength(1);
  }, 60_000);

  it("shows sections, categories and prices, and the buyer's bookings with a cancel button", async () => {
    const { showId } = await api.createShow({
      title: 'Gala',
      startsAt: '2030-01-01T20:00:00Z',
      salesOpenAt: '2020-01-01T00:00:00Z',
      categories: [
        { key: 'premium', label: 'Premium', price: { amount: 8900, currency: 'EUR' } },
        { key: 'standard', label: 'Standard', price: { amount: 4500, currency: 'EUR' } },
      ],
      sections: [
        { key: 'stalls', label: 'Stalls', rows: [{ label: 'A', seats: 6, category: 'premium' }] },
        { key: 'circle', label: 'Circle', rows: [{ label: 'A', seats: ['1', '2', '2A'], category: 'standard' }] },
      ],
    });
    const uma = await buyer('uma', showId);
    const vic = await buyer('vic', showId);
    await uma.getByRole('heading', { name: 'Circle' }).waitFor();
    expect(await uma.getByRole('list', { name: 'Prices' }).textContent()).toMatch(/Premium: €89\.00.*Standard: €45\.00/);
    // Row A exists in both sections; each seat says where it is and what it costs.
    await expect(seat(uma, 'A2 \\(Circle\\)').getAttribute('aria-label')).resolves.toBe('Seat A2 (Circle), free, Standard €45.00');
    await expect(seat(uma, 'A2A \\(Circle\\)').getAttribute('title')).resolves.toBe('Seat A2A (Circle) · Standard · €45.00');
    await seat(uma, 'A1 \\(Stalls\\)').click();
    await seat(uma, 'A2A \\(Circle\\)').click();
    await uma.getByRole('button', { name: 'Hold 2 seats' }).click();
    await uma.getByText(/^Held A1, A2A/).waitFor();
    await uma.getByRole('button', { name: 'Book my seats' }).click();
    await uma.getByText(/^Booked A1, A2A/).waitFor();
    await uma.getByText(/^A1, A2A · €134\.00 · booking /).waitFor();
    await vic.locator('[aria-label="Seat A2A (Circle), sold, Standard €45.00"]').waitFor();
    await shot(uma, '8-categories-and-bookings');

    await uma.getByRole('button', { name: 'Cancel booking of A1, A2A' }).click();
    await uma.getByText('Cancelled A1, A2A; the seats are on sale again.').waitFor();
    await uma.getByText('None yet.').waitFor();
    await vic.locator('[aria-label="Seat A2A (Circle), free, Standard €45.00"]').waitFor();
    const booking = (await api.get('/api/bookings?userId=uma')).body[0];
    expect(booking.status).toBe('CANCELLED');
  });

  it('loads the layout once (revalidated with its ETag) and the status part, and re-subscribes with its version after a reconnect', async () => {
    const { showId } = await api.newShow(2, 6);
    const page = await buyer('wes', showId);
    const revalidations: (string | undefined)[] = [];
    const fullMaps: string[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith(`/api/seats/${showId}/layout`))
        void request.allHeaders().then((headers) => revalidations.push(headers['if-none-match']));
      if (request.url().endsWith(`/api/seats/${showId}`)) fullMaps.push(request.url());
    });
    await page.reload();
    await page.getByText(/^Live:/).waitFor();
    // The browser sent the cached layout's ETag (the service then answers 304 with no body).
    const current = (await fetch(`${api.baseUrl}/api/seats/${showId}/layout`)).headers.get('etag');
    await expect.poll(() => revalidations).toEqual([current]);
    expect((await fetch(`${api.baseUrl}/api/seats/${showId}/layout`, { headers: { 'if-none-match': current! } })).status).toBe(304);
    expect(fullMaps).toEqual([]);

    const acks = () => page.evaluate(() => (globalThis as any).seatBooking.acks as string[]);
    // The page subscribed with the version of the map it had just loaded: no map sent again.
    await expect.poll(acks).toContain('up-to-date');
    expect(await acks()).not.toContain('map');
    const before = (await acks()).length;
    await page.evaluate(() => (globalThis as any).seatBooking.socket.disconnect());
    await page.evaluate(() => (globalThis as any).seatBooking.socket.connect());
    await expect.poll(async () => (await acks()).slice(before)).toEqual(['up-to-date']);
    // A change while away: the next re-subscription brings the changes since (or, from an instance
    // that has not heard them all, the status part), and the page shows it.
    await page.evaluate(() => (globalThis as any).seatBooking.socket.disconnect());
    expect((await api.post('/api/seats/hold-bulk', { seatIds: [`${showId}-A3`], userId: 'xena' })).status).toBe(201);
    await page.evaluate(() => (globalThis as any).seatBooking.socket.connect());
    await page.locator('[aria-label="Seat A3, held by someone"]').waitFor();
    const [upToDate, resumed] = (await acks()).slice(before);
    expect(upToDate).toBe('up-to-date');
    expect(['delta', 'status']).toContain(resumed);
    expect(fullMaps).toEqual([]);
  });

  it('works over plain HTTP under a host name that is not loopback', async () => {
    const { showId } = await api.newShow(2, 8);
    const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
    contexts.push(context);
    const page = await context.newPage();
    const insecure: string[] = [];
    page.on('requestfailed', (request) => insecure.push(`${request.url()} ${request.failure()?.errorText}`));
    await page.addInitScript(() => (globalThis as any).localStorage.setItem('seat-booking:user', 'erin'));
    await page.goto(`${api.baseUrl.replace('127.0.0.1', NAMED_HOST)}/?show=${showId}`);
    await page.getByText(/^Live:/).waitFor();
    // Styled (the stylesheet loaded over http) and every seat drawn.
    expect(await seat(page, 'A1').evaluate((node) => (globalThis as any).getComputedStyle(node).cursor)).toBe('pointer');
    expect(await page.locator('button.seat').count()).toBe(16);
    await seat(page, 'B2').click();
    await page.getByRole('button', { name: 'Hold 1 seat' }).click();
    await page.getByText(/^Held B2/).waitFor();
    await shot(page, '7-plain-http-named-host');
    expect(insecure).toEqual([]);
  });

  it('tells the buyer when the service is unavailable, and catches up after a reconnect', async () => {
    const { showId } = await api.newShow(2, 8);
    const carol = await buyer('carol', showId);
    await seat(carol, 'B3').click();
    // The service goes away for this page: requests fail at the network level.
    await carol.route('**/api/seats/hold-bulk', (route) => route.abort('connectionrefused'));
    await carol.getByRole('button', { name: 'Hold 1 seat' }).click();
    await carol.getByText(/^The booking service is unavailable right now/).waitFor();
    await shot(carol, '6-unavailable');
    await carol.unroute('**/api/seats/hold-bulk');

    // While its socket is down, someone else holds B4; after reconnecting, the page shows it.
    await carol.evaluate(() => (globalThis as any).seatBooking.socket.disconnect());
    await carol.getByText(/Live updates interrupted/).waitFor();
    expect((await api.post('/api/seats/hold-bulk', { seatIds: [`${showId}-B4`], userId: 'dave' })).status).toBe(201);
    await carol.evaluate(() => (globalThis as any).seatBooking.socket.connect());
    await carol.locator('[aria-label="Seat B4, held by someone"]').waitFor();
  }, 30_000);

  it('holds the best seats, extends the hold, sells places on a standing floor and shows seats not for sale', async () => {
    // Holds of 30 s here: time enough to extend and book before they lapse.
    const sales = await Harness.start(devBackend, { HOLD_TTL_SECONDS: '30' });
    try {
      const { showId, map } = await sales.createShow({
        title: 'Open air',
        startsAt: '2030-01-01T20:00:00Z',
        salesOpenAt: '2020-01-01T00:00:00Z',
        limits: { perOrder: 6 },
        categories: [
          { key: 'seated', label: 'Seated', price: { amount: 7000, currency: 'EUR' } },
          { key: 'floor', label: 'Standing', price: { amount: 4000, currency: 'EUR' } },
        ],
        sections: [{ key: 'tribune', label: 'Tribune', rows: [{ label: 'A', seats: 10, category: 'seated' }] }],
        areas: [{ key: 'floor', label: 'Floor', category: 'floor', capacity: 30 }],
      });
      const block = await sales.admin('POST', `/api/admin/shows/${showId}/block`, { seatIds: [map.seats[0].id] });
      expect(block.status).toBe(200);
      const yara = await buyer('yara', showId, sales);
      const zoe = await buyer('zoe', showId, sales);
      await expect(seat(yara, 'A1').getAttribute('aria-label')).resolves.toBe('Seat A1, not for sale, Seated €70.00');

      // Best available: two side by side in the middle of row A.
      await yara.getByRole('spinbutton', { name: /^Best/ }).fill('2');
      await yara.getByRole('combobox').selectOption('seated');
      await yara.getByRole('button', { name: 'Find best seats' }).click();
      await yara.getByText(/^Held A5, A6 \(side by side\)/).waitFor();
      await expect(seat(yara, 'A5').getAttribute('aria-label')).resolves.toBe('Seat A5, held by you, Seated €70.00');
      await zoe.locator('[aria-label="Seat A6, held by someone, Seated €70.00"]').waitFor();

      // Extend: the hold lasts longer, by the service's own clock.
      const expiry = async () => Date.parse((await sales.get(`/api/seats/${showId}`)).body.seats[4].holdExpiresAt);
      const before = await expiry();
      await yara.waitForTimeout(1100);
      await yara.getByRole('button', { name: 'Extend hold' }).click();
      await yara.getByText(/^Extended your hold on A5, A6 until/).waitFor();
      expect(await expiry()).toBeGreaterThan(before);

      // Three places on the floor; the other buyer sees the count drop.
      await yara.getByText('€40.00 · 30 of 30 places free').waitFor();
      await yara.getByRole('spinbutton', { name: 'Places on Floor' }).fill('3');
      await yara.getByRole('button', { name: 'Hold places on Floor' }).click();
      await yara.getByText('Held 3 places on Floor. Book them before the countdown ends.').waitFor();
      await yara.getByText('€40.00 · 27 of 30 places free').waitFor();
      await zoe.getByText('€40.00 · 27 of 30 places free').waitFor();
      await shot(yara, '9-best-seats-extend-standing');

      // One booking: the two seats and the three places, at their prices.
      await yara.getByRole('button', { name: 'Book my seats' }).click();
      await yara.getByText(/^Booked A5, A6, Floor place \d+, Floor place \d+, Floor place \d+/).waitFor();
      await yara.getByText(/^A5, A6, Floor place \d+, Floor place \d+, Floor place \d+ · €260\.00 · booking /).waitFor();
      await zoe.locator('[aria-label="Seat A5, sold, Seated €70.00"]').waitFor();
      const status = (await sales.get(`/api/seats/${showId}/status`)).body;
      expect(status.areas.floor).toEqual({ capacity: 30, available: 27, held: 0, booked: 3 });
      expect(status.statuses).toBe('XAAABBAAAA');
      await shot(yara, '10-booked-seats-and-places');
    } finally {
      await sales.close();
    }
  }, 60_000);
});
