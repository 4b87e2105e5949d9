import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { login, TestEnv } from './support/test-env';
import { servedRoutes } from '../src/http-setup';

type Role = 'operator' | 'specialist' | 'expert' | 'supervisor' | 'admin' | 'dpo';
const ROLES: Role[] = ['operator', 'specialist', 'expert', 'supervisor', 'admin', 'dpo'];
const STAFF: Role[] = ['operator', 'specialist', 'expert', 'supervisor'];

/**
 * Every route the application serves, with who may call it. The list is checked against the router itself: a new
 * endpoint that is not listed here fails this test, so nothing can escape the access rules by being forgotten.
 * `scoped`: a specialist or expert of another institution must get 404 (indistinguishable from missing).
 */
const POLICY: Record<
  string,
  { public?: true; roles?: Role[]; scoped?: true; body?: object; token?: 'tickets:read' | 'tickets:hand-back' }
> = {
  'GET /health': { public: true },
  'GET /metrics': { public: true },
  'POST /v1/auth/login': { public: true },
  'POST /v1/auth/refresh': { public: true },
  'POST /v1/auth/logout': { roles: ROLES },
  'GET /v1/admin/api-tokens': { roles: ['admin'] },
  'POST /v1/admin/api-tokens': { roles: ['admin'] },
  'DELETE /v1/admin/api-tokens/:id': { roles: ['admin'] },
  'POST /v1/auth/login/totp': { public: true }, // the challenge token of the first step instead
  'POST /v1/auth/login/totp/enrolment': { public: true },
  'GET /v1/auth/oidc/login': { public: true }, // 404 here: single sign-on is not set up
  'GET /v1/auth/oidc/callback': { public: true },
  'POST /v1/auth/totp/enrolment': { roles: ROLES },
  'POST /v1/auth/totp/enrolment/confirm': { roles: ROLES },
  'DELETE /v1/admin/agents/:id/totp': { roles: ['admin'] },
  'POST /v1/channels/webform/submissions': { public: true }, // signed by the portal instead
  'GET /v1/channels/social/meta/webhook': { public: true }, // Meta's handshake: the verify token instead
  'POST /v1/channels/social/meta/webhook': { public: true }, // signed by Meta (X-Hub-Signature-256)
  'POST /v1/channels/social/telegram/webhook': { public: true }, // Telegram's secret token header
  'GET /v1/tickets': { roles: ROLES },
  'GET /v1/tickets/:reference': { roles: ROLES, scoped: true, token: 'tickets:read' },
  // Scoped routes get a valid body, so that the outsider's answer comes from the scope rule, not from validation.
  'POST /v1/tickets/:reference/replies': { roles: STAFF, scoped: true, body: { text: 'Labdien!' } },
  'POST /v1/tickets/:reference/escalations': {
    roles: STAFF,
    scoped: true,
    body: { toLevel: 2, institution: 'VP', reason: 'x' },
    token: 'tickets:hand-back',
  }, // refused after the scope check, moves nothing
  'GET /v1/tickets/:reference/attachments/:id': { roles: ROLES, scoped: true },
  'POST /v1/tickets/:reference/notes': { roles: STAFF, scoped: true, body: { text: 'piezīme' } },
  'POST /v1/tickets/:reference/claim': { roles: STAFF, scoped: true, body: {} },
  'POST /v1/tickets/:reference/assign': { roles: STAFF, scoped: true, body: { agentId: '00000000-0000-4000-8000-000000000000' } },
  'PATCH /v1/tickets/:reference': { roles: STAFF, scoped: true, body: { topic: 'matrica' } },
  'POST /v1/tickets/:reference/merge': { roles: STAFF, scoped: true, body: { into: 'VP-2000-000001' } }, // unknown target: 422 after the scope check
  'POST /v1/tickets/:reference/customer': { roles: STAFF, scoped: true, body: { customerId: '00000000-0000-4000-8000-000000000000' } },
  'GET /v1/tickets/:reference/assignees': { roles: STAFF, scoped: true },
  'GET /v1/queues': { roles: ['operator', 'specialist', 'expert', 'supervisor', 'admin'] }, // institution staff: their institutions' queues
  'POST /v1/contacts': { roles: STAFF },
  'GET /v1/calendar/holidays': { roles: ROLES },
  'GET /v1/calendar/centres': { roles: ROLES },
  'GET /v1/auth/me': { roles: ROLES },
  'GET /v1/institutions': { roles: ROLES },
  'GET /v1/calendar/working-days': { roles: ROLES },
  'GET /v1/admin/calendar/adjustments': { roles: ['admin'] },
  'POST /v1/admin/calendar/adjustments': { roles: ['admin'] },
  'DELETE /v1/admin/calendar/adjustments/:id': { roles: ['admin'] },
  'GET /v1/admin/calendar/hours': { roles: ['admin', 'supervisor'] },
  'GET /v1/admin/calendar/hours/:centre': { roles: ['admin', 'supervisor'] },
  'PUT /v1/admin/calendar/hours/:centre': { roles: ['admin'] },
  'PUT /v1/admin/calendar/hours/:centre/special/:date': { roles: ['admin'] },
  'DELETE /v1/admin/calendar/hours/:centre/special/:date': { roles: ['admin'] },
  'GET /v1/admin/agents': { roles: ['admin'] },
  'POST /v1/admin/agents': { roles: ['admin'] },
  'GET /v1/admin/agents/:id': { roles: ['admin'] },
  'PATCH /v1/admin/agents/:id': { roles: ['admin'] },
  'GET /v1/admin/webhooks': { roles: ['admin'] },
  'POST /v1/admin/webhooks': { roles: ['admin'] },
  'GET /v1/admin/webhooks/:id/deliveries': { roles: ['admin'] },
  'PATCH /v1/admin/webhooks/:id': { roles: ['admin'] },
  'DELETE /v1/admin/webhooks/:id': { roles: ['admin'] },
  'GET /v1/admin/queues': { roles: ['admin'] },
  'POST /v1/admin/queues': { roles: ['admin'] },
  'PATCH /v1/admin/queues/:code': { roles: ['admin'] },
  'GET /v1/admin/routing-rules': { roles: ['admin'] },
  'POST /v1/admin/routing-rules': { roles: ['admin'] },
  'PATCH /v1/admin/routing-rules/:id': { roles: ['admin'] },
  'DELETE /v1/admin/routing-rules/:id': { roles: ['admin'] },
  'GET /v1/presence': { roles: ['supervisor', 'admin'] },
  'GET /v1/supervisor/board': { roles: ['supervisor', 'admin'] },
  'GET /v1/admin/mailboxes': { roles: ['admin'] },
  'POST /v1/admin/mailboxes': { roles: ['admin'] },
  'GET /v1/admin/mailboxes/:id': { roles: ['admin'] },
  'PATCH /v1/admin/mailboxes/:id': { roles: ['admin'] },
  'DELETE /v1/admin/mailboxes/:id': { roles: ['admin'] },
  'GET /v1/admin/sla-policies': { roles: ['supervisor', 'admin'] },
  'GET /v1/admin/sla-policies/:id': { roles: ['supervisor', 'admin'] },
  'POST /v1/admin/sla-policies': { roles: ['admin'] },
  'PATCH /v1/admin/sla-policies/:id': { roles: ['admin'] },
  'GET /v1/tickets/:reference/sla': { roles: ROLES.filter((r) => r !== 'dpo'), scoped: true },
  'POST /v1/tickets/:reference/sla/extension': { roles: STAFF, scoped: true, body: { reason: 'matrica' } }, // once extended, 409 after the scope check
  'GET /v1/reports/volumes': { roles: ['specialist', 'expert', 'supervisor', 'admin'] }, // institution staff: their institutions only
  'GET /v1/reports/sla': { roles: ['specialist', 'expert', 'supervisor', 'admin'] },
  'GET /v1/reports/csat': { roles: ['specialist', 'expert', 'supervisor', 'admin'] },
  'GET /v1/reports/funding': { roles: ['supervisor', 'admin'] },
  'GET /v1/sla/events': { roles: ['supervisor', 'admin'] },
  'GET /v1/csat/:token': { public: true }, // a signed survey link instead
  'GET /chat/widget': { public: true }, // the visitors' chat page; visitors have no accounts
  'GET /chat/widget.js': { public: true },
  'GET /chat/widget.css': { public: true },
  'GET /chat/embed.js': { public: true }, // the launcher host sites include
  'GET /chat/embed/config': { public: true },
  'GET /v1/admin/institutions/:code/chat-widget': { roles: ['admin'] },
  'PUT /v1/admin/institutions/:code/chat-widget': { roles: ['admin'] },
  'GET /console': { public: true }, // the console's files: the app signs in through the API, which checks every call
  'GET /console/*path': { public: true },
  'POST /v1/csat/:token': { public: true },
  // The citizen's own case: the signed link or the reference with the e-mail/phone it came from is the proof.
  'GET /v1/public/cases/:reference': { public: true },
  'GET /case': { public: true },
  'POST /case': { public: true },
  // Supervisors keep the operators' answers up to date, so they edit the knowledge base too.
  'GET /v1/admin/knowledge/articles': { roles: ['admin', 'supervisor'] },
  'POST /v1/admin/knowledge/articles': { roles: ['admin', 'supervisor'] },
  'GET /v1/admin/knowledge/articles/:id': { roles: ['admin', 'supervisor'] },
  'PATCH /v1/admin/knowledge/articles/:id': { roles: ['admin', 'supervisor'] },
  'DELETE /v1/admin/knowledge/articles/:id': { roles: ['admin', 'supervisor'] },
  'GET /v1/admin/auto-answers': { roles: ['admin', 'supervisor'] },
  'PUT /v1/admin/auto-answers/:topic': { roles: ['admin', 'supervisor'] },
  'GET /v1/knowledge/search': { roles: ROLES },
  'GET /v1/tickets/:reference/suggestions': { roles: STAFF, scoped: true },
  // Twilio's requests carry X-Twilio-Signature instead of a token (here the voice channel is not configured: 503).
  ...Object.fromEntries(
    [
      'incoming',
      'language',
      'menu',
      'choice',
      'queue-wait',
      'queue-leave',
      'queue-done',
      'queue-answered',
      'csat',
      'voicemail-done',
      'voicemail-recording',
      'status',
      'operator',
    ].map((step) => [`POST /v1/channels/voice/twilio/${step}`, { public: true as const }]),
  ),
  'POST /v1/voice/token': { roles: ['operator', 'supervisor'] },
  'GET /v1/voice/calls/current': { roles: ['operator', 'supervisor'] }, // 404 for an allowed role: nobody is on a call
  'GET /v1/tickets/:reference/calls': { roles: ['operator', 'supervisor', 'admin'] },
  'POST /v1/tickets/:reference/call-back': { roles: ['operator', 'supervisor'] },
  'GET /v1/admin/ivr': { roles: ['admin'] },
  'PUT /v1/admin/ivr': { roles: ['admin'] },
  'POST /v1/admin/ivr/validate': { roles: ['admin'] },
  'POST /v1/privacy/subject-requests': { roles: ['admin', 'dpo'] },
  'GET /v1/privacy/subject-requests/:id': { roles: ['admin', 'dpo'] },
  'POST /v1/privacy/subject-requests/:id/downloads': { roles: ['admin', 'dpo'] },
  'GET /v1/privacy/downloads/:token': { public: true }, // the signed one-time link is the credential
  'PUT /v1/tickets/:reference/legal-hold': { roles: ['supervisor', 'dpo'], body: { reason: 'matrica' } },
  'DELETE /v1/tickets/:reference/legal-hold': { roles: ['supervisor', 'dpo'] },
  'GET /v1/audit': { roles: ['admin', 'dpo'] },
  'GET /v1/admin/retention-policies': { roles: ['admin', 'dpo'] },
  // Canned answers and macros: everyone who answers tickets, and admins who keep the shared ones; the counts of use
  // are for supervisors. Another's personal answer or another institution's is 404, like a missing one.
  'GET /v1/canned-answers': { roles: ['operator', 'specialist', 'expert', 'supervisor', 'admin'] },
  'POST /v1/canned-answers': { roles: ['operator', 'specialist', 'expert', 'supervisor', 'admin'] },
  'GET /v1/canned-answers/usage': { roles: ['supervisor', 'admin'] },
  'GET /v1/canned-answers/:id': { roles: ['operator', 'specialist', 'expert', 'supervisor', 'admin'] },
  'PATCH /v1/canned-answers/:id': { roles: ['operator', 'specialist', 'expert', 'supervisor', 'admin'] },
  'DELETE /v1/canned-answers/:id': { roles: ['operator', 'specialist', 'expert', 'supervisor', 'admin'] },
  'POST /v1/canned-answers/:id/use': { roles: STAFF, body: { reference: 'VP-2000-000001' } },
  'GET /v1/macros': { roles: ['operator', 'specialist', 'expert', 'supervisor', 'admin'] },
  'POST /v1/macros': { roles: ['operator', 'specialist', 'expert', 'supervisor', 'admin'] },
  'GET /v1/macros/:id': { roles: ['operator', 'specialist', 'expert', 'supervisor', 'admin'] },
  'PATCH /v1/macros/:id': { roles: ['operator', 'specialist', 'expert', 'supervisor', 'admin'] },
  'DELETE /v1/macros/:id': { roles: ['operator', 'specialist', 'expert', 'supervisor', 'admin'] },
  'POST /v1/tickets/:reference/macros/:id': { roles: STAFF, scoped: true }, // the ticket's scope first, then the macro (404)
  'GET /v1/tags': { roles: ROLES },
  'POST /v1/admin/tags': { roles: ['admin'] },
  'PATCH /v1/admin/tags/:id': { roles: ['admin'] },
  'DELETE /v1/admin/tags/:id': { roles: ['admin'] },
  'POST /v1/tickets/:reference/tags': { roles: STAFF, scoped: true, body: { tags: ['matrica'] } }, // no such tag: 422 after the scope check
  'DELETE /v1/tickets/:reference/tags/:tag': { roles: STAFF, scoped: true },
  'GET /v1/admin/custom-fields': { roles: ['admin', 'supervisor'] },
  'GET /v1/admin/custom-fields/:id': { roles: ['admin', 'supervisor'] },
  'POST /v1/admin/custom-fields': { roles: ['admin'] },
  'PATCH /v1/admin/custom-fields/:id': { roles: ['admin'] },
  'DELETE /v1/admin/custom-fields/:id': { roles: ['admin'] },
  'GET /v1/tickets/:reference/custom-fields': { roles: ROLES, scoped: true },
  'PUT /v1/tickets/:reference/custom-fields': { roles: STAFF, scoped: true, body: { values: {} } },
  'POST /v1/tickets/:reference/snooze': { roles: STAFF, scoped: true, body: { untilReply: true } },
  'DELETE /v1/tickets/:reference/snooze': { roles: STAFF, scoped: true },
  'POST /v1/tickets/:reference/reminders': {
    roles: STAFF,
    scoped: true,
    body: { at: new Date(Date.now() + 86_400_000).toISOString(), note: 'matrica' },
  },
  'GET /v1/reminders': { roles: STAFF },
  'DELETE /v1/reminders/:id': { roles: STAFF },
  'GET /v1/admin/auto-close-policies': { roles: ['admin', 'supervisor'] },
  'PUT /v1/admin/auto-close-policies': { roles: ['admin'], body: { enabled: true, workingDays: 10 } },
  'GET /v1/reports/tags': { roles: ['specialist', 'expert', 'supervisor', 'admin'] },
  'PUT /v1/admin/institutions/:code/public-contact': { roles: ['admin'] },
  // Saved views: anyone who works the inbox; another's personal view or another institution team's is 404.
  'GET /v1/saved-views': { roles: ['operator', 'specialist', 'expert', 'supervisor', 'admin'] },
  'POST /v1/saved-views': { roles: ['operator', 'specialist', 'expert', 'supervisor', 'admin'] },
  'GET /v1/saved-views/:id': { roles: ['operator', 'specialist', 'expert', 'supervisor', 'admin'] },
  'GET /v1/saved-views/:id/tickets': { roles: ['operator', 'specialist', 'expert', 'supervisor', 'admin'] },
  'PATCH /v1/saved-views/:id': { roles: ['operator', 'specialist', 'expert', 'supervisor', 'admin'] },
  'DELETE /v1/saved-views/:id': { roles: ['operator', 'specialist', 'expert', 'supervisor', 'admin'] },
  // Customers: those who work cases; institution staff only customers with a ticket they may see (else 404).
  'GET /v1/customers': { roles: STAFF },
  'GET /v1/customers/:id': { roles: STAFF },
  'PATCH /v1/customers/:id': { roles: STAFF },
  'POST /v1/customers/:id/identifiers': { roles: STAFF, body: { kind: 'email', value: 'matrica@example.lv' } },
  'POST /v1/customers/:id/merge': { roles: ['operator', 'supervisor'], body: { from: '00000000-0000-4000-8000-000000000001' } },
  'POST /v1/customers/merges/:id/undo': { roles: ['operator', 'supervisor'] },
  'POST /v1/customers/:id/split': { roles: ['operator', 'supervisor'], body: { tickets: ['VP-2000-000001'] } },
  'GET /v1/admin/retention-policies/preview': { roles: ['admin', 'dpo'] },
  'PATCH /v1/admin/retention-policies/:id': { roles: ['admin'] },
};

describe('access matrix: every route × every role × own/other institution', () => {
  const env = new TestEnv();
  let app: NestFastifyApplication;
  const tokens: Partial<Record<Role | 'otherSpecialist' | 'otherExpert', string>> = {};
  /** API tokens of institutions' systems holding every scope there is: one of the ticket's institution, one not. */
  const systems: Record<'own' | 'other', string> = { own: '', other: '' };
  let reference: string;
  let routes: string[];

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all' });
    const agents = app.get(AgentsService);
    const password = 'a long enough passphrase';
    const people: Array<[string, Role, string[]?]> = [
      ['operator', 'operator'],
      ['specialist', 'specialist', ['VID']],
      ['expert', 'expert', ['VID']],
      ['supervisor', 'supervisor'],
      ['admin', 'admin'],
      ['dpo', 'dpo'],
      ['otherSpecialist', 'specialist', ['VSAA']],
      ['otherExpert', 'expert', ['VSAA']],
    ];
    for (const [name, role, institutionCodes] of people) {
      await agents.upsert({ email: `${name.toLowerCase()}@matrix.test`, displayName: name, password, roles: [role], institutionCodes });
      tokens[name as Role] = await login(app, `${name.toLowerCase()}@matrix.test`, password);
    }
    reference = await env.submitTicket(app, { institution: 'VID' });
    for (const [which, institution] of [
      ['own', 'VID'],
      ['other', 'VSAA'],
    ] as const) {
      const res = await request(app.getHttpServer())
        .post('/v1/admin/api-tokens')
        .set('Authorization', `Bearer ${tokens.admin}`)
        .send({ name: `matrix ${institution}`, institution, scopes: ['tickets:read', 'tickets:hand-back'], expiresInDays: 1 })
        .expect(201);
      systems[which] = res.body.token;
    }

    // The router itself: every route Fastify was given, as it was given.
    routes = servedRoutes(app)
      // '/docs' is Swagger UI; HEAD is Fastify's own twin of each GET.
      .filter((route) => !route.split(' ')[1].startsWith('/docs') && !route.startsWith('HEAD '))
      // A wildcard is '*' to Fastify; the policy names it as the controllers do.
      .map((route) => route.replace(/\*$/, '*path'));
  });
  afterAll(() => env.teardown());

  it('knows every route the application serves, and serves every route it knows', () => {
    expect([...new Set(routes)].sort()).toEqual(Object.keys(POLICY).sort());
  });

  const call = (route: string, token?: string, ticket = reference) => {
    const [method, path] = route.split(' ');
    const url = path
      .replace(':reference', ticket)
      .replace(':id', '00000000-0000-4000-8000-000000000000')
      .replace('*path', 'tickets/VP-2026-000001');
    const req = (request(app.getHttpServer()) as any)[method.toLowerCase()](url);
    if (token) req.set('Authorization', `Bearer ${token}`);
    return method === 'GET' || method === 'DELETE' ? req : req.send(POLICY[route]?.body ?? {});
  };

  it('refuses every non-public route without a token, and lets public ones through the auth layer', async () => {
    for (const [route, rule] of Object.entries(POLICY)) {
      const res = await call(route);
      // A public route may still refuse (a platform's bad signature is a 403 of its own), but never by the auth layer.
      if (rule.public)
        expect([
          route,
          (res.status === 403 && res.body.type === 'urn:vpppd:problem:forbidden') ||
            (res.status === 401 && res.body.type === 'urn:vpppd:problem:unauthorized'),
        ]).toEqual([route, false]);
      else expect([route, res.status]).toEqual([route, 401]);
    }
  });

  // Found from the router, not from POLICY: a new sub-route of a ticket is checked the day it is added.
  it("answers 404 on every route of a ticket to institution staff who may not see it, an expert's non-own case included", async () => {
    // Public routes by reference (the citizen's case status) take a proof of being the person, not a staff scope.
    const byReference = [...new Set(routes)].filter((route) => route.includes(':reference') && !POLICY[route]?.public);
    expect(byReference).toEqual(
      expect.arrayContaining(['GET /v1/tickets/:reference', 'GET /v1/tickets/:reference/sla', 'POST /v1/tickets/:reference/sla/extension']),
    );
    // A fresh level-1 VID ticket: inside the VID expert's institution, but not their case (not level 3, not theirs, never moved by them).
    const ticket = await env.submitTicket(app, { institution: 'VID' });
    const outsiders: Array<['otherSpecialist' | 'otherExpert' | 'expert', Role]> = [
      ['otherSpecialist', 'specialist'],
      ['otherExpert', 'expert'],
      ['expert', 'expert'],
    ];
    for (const route of byReference) {
      for (const [who, role] of outsiders) {
        const res = await call(route, tokens[who], ticket);
        // A role the route does not take at all is refused before the ticket is looked at.
        const expected = POLICY[route]?.roles && !POLICY[route].roles.includes(role) ? 403 : 404;
        expect([route, who, res.status]).toEqual([route, who, expected]);
      }
    }
    const [row] = await env.sql(
      `SELECT (SELECT count(*)::int FROM audit_events a WHERE a.subject_id = t.id::text) AS audits FROM tickets t WHERE t.reference = $1`,
      [ticket],
    );
    expect(row.audits).toBe(0); // nothing was done to it either
  });

  it("lets an API token through only the routes its scopes name, and only to its institution's tickets", async () => {
    for (const [route, rule] of Object.entries(POLICY)) {
      if (rule.public) continue;
      const own = await call(route, systems.own);
      if (rule.token) expect([route, own.status === 401 || own.status === 403]).toEqual([route, false]);
      else expect([route, own.status, own.body.type]).toEqual([route, 403, 'urn:vpppd:problem:forbidden']);
      const other = await call(route, systems.other);
      expect([route, 'other institution', other.status]).toEqual([route, 'other institution', rule.token ? 404 : 403]);
    }
  });

  it('allows exactly the roles each route names, and keeps institution staff to their own tickets', async () => {
    for (const [route, rule] of Object.entries(POLICY)) {
      if (rule.public || route === 'POST /v1/auth/logout') continue; // logout is checked last: it ends the session
      for (const role of ROLES) {
        const res = await call(route, tokens[role]);
        const allowed = rule.roles!.includes(role);
        if (allowed) expect([route, role, res.status === 401 || res.status === 403]).toEqual([route, role, false]);
        else expect([route, role, res.status]).toEqual([route, role, 403]);
      }
      if (rule.scoped) {
        for (const outsider of ['otherSpecialist', 'otherExpert'] as const) {
          const res = await call(route, tokens[outsider]);
          expect([route, outsider, res.status]).toEqual([route, outsider, 404]);
        }
      }
    }
    for (const role of ROLES) {
      const res = await call('POST /v1/auth/logout', tokens[role]);
      expect([role, res.status]).toEqual([role, 204]);
    }
  }, 300_000); // every route × every role: a few hundred requests on a shared machine
});
