import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devBackend } from './support/backends.js';
import { Harness } from './support/harness.js';

/** The OpenAPI document at /docs-json describes every endpoint, header, body and problem, and the real answers match it. */
describe('OpenAPI document', () => {
  let api: Harness;
  let doc: any;

  beforeAll(async () => {
    api = await Harness.start(devBackend);
    doc = (await api.get('/docs-json')).body;
  });
  afterAll(async () => api?.close());

  const schemaOf = (ref: string) => doc.components.schemas[ref.replace('#/components/schemas/', '')];

  it('lists every endpoint, with the UI at /docs', async () => {
    expect((await api.get('/docs')).status).toBe(200);
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/api/seats/book-bulk',
        '/api/seats/extend-bulk',
        '/api/seats/hold-best',
        '/api/seats/hold-bulk',
        '/api/seats/release-bulk',
        '/api/seats/shows',
        '/api/seats/{showId}',
        '/api/seats/{showId}/layout',
        '/api/seats/{showId}/status',
        '/api/admin/shows',
        '/api/admin/shows/{showId}',
        '/api/admin/shows/{showId}/block',
        '/api/admin/shows/{showId}/unblock',
        '/api/admin/shows/{showId}/report',
        '/api/admin/shows/{showId}/seats/{seatId}/history',
        '/api/admin/webhooks',
        '/api/admin/webhooks/{id}',
        '/api/admin/webhooks/{id}/deliveries',
        '/api/admin/webhooks/{id}/deliveries/{messageId}/replay',
        '/api/bookings',
        '/api/bookings/{bookingId}',
        '/api/bookings/{bookingId}/cancel',
        '/health/live',
        '/health/ready',
        '/metrics',
      ].sort(),
    );
    for (const [path, operations] of Object.entries<any>(doc.paths)) {
      for (const [method, operation] of Object.entries<any>(operations)) {
        expect(operation.summary, `${method} ${path}`).toBeTruthy();
        expect(Object.keys(operation.responses).length, `${method} ${path}`).toBeGreaterThan(0);
      }
    }
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it.each([
    ['/api/seats/hold-bulk', '201'],
    ['/api/seats/book-bulk', '201'],
    ['/api/seats/release-bulk', '200'],
  ])('documents %s: body, Idempotency-Key, success and every problem', (path, success) => {
    const operation = doc.paths[path].post;
    expect(schemaOf(operation.requestBody.content['application/json'].schema.$ref).required).toEqual(['seatIds', 'userId']);
    expect(operation.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true })]),
    );
    expect(operation.responses[success].content['application/json'].schema.$ref).toBeTruthy();
    for (const status of ['400', '401', '403', '409', '413', '422', '429', '503']) {
      const problem = operation.responses[status]?.content?.['application/problem+json']?.schema;
      expect(problem?.$ref, `${path} ${status}`).toMatch(/ProblemDto$/);
    }
    expect(operation.responses['503'].headers['Retry-After']).toBeTruthy();
    expect(operation.security).toEqual([{ bearer: [] }]);
  });

  it('matches what the service really answers', async () => {
    const { showId, seatIds } = await api.newShow();
    const keysOf = (path: string, method: string, status: string, contentType = 'application/json', onlyRequired = false) => {
      const schema = doc.paths[path][method].responses[status].content[contentType].schema;
      const resolved = schema.$ref ? schemaOf(schema.$ref) : schemaOf(schema.items.$ref);
      return Object.keys(resolved.properties)
        .filter((key) => !onlyRequired || resolved.required.includes(key))
        .sort();
    };
    const body = { seatIds: [seatIds[0]], userId: 'doc-reader' };
    expect(Object.keys((await api.post('/api/seats/hold-bulk', body)).body).sort()).toEqual(keysOf('/api/seats/hold-bulk', 'post', '201'));
    expect(Object.keys((await api.post('/api/seats/book-bulk', body)).body).sort()).toEqual(keysOf('/api/seats/book-bulk', 'post', '201'));
    const conflict = await api.post('/api/seats/release-bulk', body);
    expect(keysOf('/api/seats/release-bulk', 'post', '409', 'application/problem+json')).toEqual(
      expect.arrayContaining(Object.keys(conflict.body)),
    );
    // `areas` only for a show that has general-admission areas.
    expect(Object.keys((await api.get(`/api/seats/${showId}`)).body).sort()).toEqual(
      keysOf('/api/seats/{showId}', 'get', '200', 'application/json', true),
    );
    expect(Object.keys((await api.get('/api/seats/shows')).body[0]).sort()).toEqual(keysOf('/api/seats/shows', 'get', '200'));
    expect(Object.keys((await api.get(`/api/seats/${showId}/layout`)).body).sort()).toEqual(
      keysOf('/api/seats/{showId}/layout', 'get', '200'),
    );
    expect(Object.keys((await api.get(`/api/seats/${showId}/status`)).body).sort()).toEqual(
      keysOf('/api/seats/{showId}/status', 'get', '200'),
    );
  });
});
