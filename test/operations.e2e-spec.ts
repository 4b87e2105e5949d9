import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { login, MONITORING, TestEnv } from './support/test-env';

/** /metrics, /health and /docs say only what their caller may know, and every answer carries the security headers. */
describe('operations endpoints and security headers', () => {
  const env = new TestEnv();
  let app: INestApplication;
  const tokens: Record<'admin' | 'supervisor' | 'operator', string> = { admin: '', supervisor: '', operator: '' };
  const http = () => request(app.getHttpServer());
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all' });
    const agents = app.get(AgentsService);
    for (const role of ['supervisor', 'operator'] as const) {
      await agents.upsert({ email: `${role}@ops.test`, displayName: role, password: 'ļoti garš parole teikums', roles: [role] });
      tokens[role] = await login(app, `${role}@ops.test`, 'ļoti garš parole teikums');
    }
    tokens.admin = await login(app);
  });
  afterAll(() => env.teardown());

  describe('/metrics', () => {
    it('is scraped only with the monitoring token', async () => {
      for (const headers of [{}, bearer('not-the-metrics-token-0123456789abcdef'), bearer(tokens.admin)]) {
        const res = await http().get('/metrics').set(headers).expect(401);
        expect(res.headers['content-type']).toContain('application/problem+json');
        expect(res.body.type).toBe('urn:vpppd:problem:metrics-token');
        expect(res.text).not.toContain('vp_');
      }
      const res = await http().get('/metrics').set(MONITORING).expect(200);
      expect(res.text).toMatch(/vp_queue_jobs\{queue="inbound",state="waiting"\} \d+/);
    });
  });

  describe('/health', () => {
    it('tells anyone only up or down, and staff without a duty for the service no more', async () => {
      for (const headers of [{}, bearer(tokens.operator), bearer('forged.token.here'), { Authorization: 'Basic YTpi' }]) {
        const res = await http().get('/health').set(headers).expect(200);
        expect(res.body).toEqual({ status: 'up' });
      }
    });

    it('gives the details (checks, mailboxes) to supervisors, admins and the monitoring token', async () => {
      for (const headers of [bearer(tokens.supervisor), bearer(tokens.admin), MONITORING]) {
        const res = await http().get('/health').set(headers).expect(200);
        // This app runs without a malware scanner (CLAMAV_URL unset): said as a degradation, never as all well.
        expect(res.body).toEqual({
          status: 'degraded',
          checks: { postgres: expect.objectContaining({ status: 'up' }), redis: expect.objectContaining({ status: 'up' }) },
          mailboxes: [],
          scanning: { status: 'off', warning: expect.stringContaining('not scanned') },
        });
      }
    });
  });

  describe('security headers', () => {
    const expectApiHeaders = (res: request.Response) => {
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    };

    it('are on JSON with personal data, on refusals and on the body parsers’ own answers', async () => {
      expectApiHeaders(await http().get('/v1/tickets').set(bearer(tokens.admin)).expect(200));
      expectApiHeaders(await http().get('/v1/tickets').expect(401));
      expectApiHeaders(await http().post('/v1/auth/login').set('Content-Type', 'application/json').send('{"email":').expect(400));
      expectApiHeaders(await http().get('/health').expect(200));
    });

    it('let the OpenAPI browser run its own scripts, and leave /console to set its own policy', async () => {
      const docs = await http().get('/docs/').expect(200);
      expect(docs.headers['content-security-policy']).toContain("script-src 'self'");
      expect(docs.headers['content-security-policy']).not.toContain("default-src 'none'");
      expect(docs.headers['x-powered-by']).toBeUndefined();

      // The console's own policy (its scripts, styles and websocket), not the API's.
      const console = await http().get('/console/anything');
      expect(console.headers['content-security-policy']).toContain("script-src 'self'");
      expect(console.headers['content-security-policy']).not.toContain("style-src 'unsafe-inline'");
      expect(console.headers['strict-transport-security']).toBeDefined();
    });

    it('let a route set its own policy: the chat widget keeps its own policy and may be framed by the sites it names', async () => {
      const widget = await http().get('/chat/widget').expect(200);
      expect(widget.headers['content-security-policy']).toMatch(/script-src 'self'; /);
      expect(widget.headers['x-frame-options']).toBeUndefined();
      expect((await http().get('/v1/tickets').expect(401)).headers['x-frame-options']).toBe('SAMEORIGIN');
    });
  });

  it('without METRICS_TOKEN serves no metrics, and API_DOCS=false serves no /docs', async () => {
    const bare = await env.startApi({ APP_ROLE: 'api', METRICS_TOKEN: '', API_DOCS: 'false' });
    try {
      const metrics = await request(bare.getHttpServer()).get('/metrics').set(MONITORING).expect(404);
      expect(metrics.text).not.toContain('vp_');
      await request(bare.getHttpServer()).get('/docs/openapi.json').expect(404);
      expect((await request(bare.getHttpServer()).get('/health').set(MONITORING).expect(200)).body).toEqual({ status: 'up' });
    } finally {
      await env.stop(bare);
    }
  });
});
