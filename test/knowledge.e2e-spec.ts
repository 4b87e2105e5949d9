import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { AgentsService } from '../src/agents/agents.service';
import { KnowledgeSearchService } from '../src/knowledge/knowledge-search.service';
import { login, TestEnv } from './support/test-env';

describe('knowledge base: editing, and search across Latvian word forms and missing diacritics', () => {
  const env = new TestEnv();
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const http = () => request(app.getHttpServer());
  const search = (q: string, extra: Record<string, string> = {}) =>
    http()
      .get('/v1/knowledge/search')
      .query({ q, ...extra })
      .set('Authorization', `Bearer ${tokens.op}`)
      .expect(200);
  const topOf = async (q: string, extra: Record<string, string> = {}) => (await search(q, extra)).body.results[0];

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all' });
    tokens.admin = await login(app);
    const agents = app.get(AgentsService);
    const password = 'a long enough passphrase';
    await agents.upsert({ email: 'op@kb.test', displayName: 'Op', password, roles: ['operator'] });
    await agents.upsert({ email: 'sup@kb.test', displayName: 'Sup', password, roles: ['supervisor'] });
    tokens.op = await login(app, 'op@kb.test', password);
    tokens.sup = await login(app, 'sup@kb.test', password);
  });
  afterAll(() => env.teardown());

  it('indexes the seeded articles at start, in the extensions every schema shares', async () => {
    const [stale] = await env.sql(`SELECT count(*)::int AS n FROM knowledge_articles WHERE search_vector IS NULL OR search_version = 0`);
    expect(stale.n).toBe(0);
    const [ext] = await env.sql(`SELECT count(*)::int AS n FROM pg_extension WHERE extname IN ('unaccent', 'pg_trgm')`);
    expect(ext.n).toBe(2);
    const [fn] = await env.sql(`SELECT kb_unaccent('Izziņas ŠĶĒRSLIS') AS v`);
    expect(fn.v).toBe('Izzinas SKERSLIS');
  });

  it.each([
    ['bezdarbnieka pabalsts', 'bezdarbnieka pabalsts'],
    ['kā saņemt bezdarbnieka pabalstu', 'bezdarbnieka pabalsts'],
    ['bezdarbnieku pabalsta pieteikums', 'bezdarbnieka pabalsts'],
    ['ka sanemt bezdarbnieka pabalstu', 'bezdarbnieka pabalsts'], // no diacritics at all
    ['pazaudēju pasi', 'nozaudēta pase'],
    ['jauna pase', 'pase un personas apliecība'],
    ['izzinas par apdrosinasanas iemaksam', 'izziņas'],
    ['izziņa par sociālās apdrošināšanas iemaksām', 'izziņas'],
    ['deklarēt dzīvesvietu', 'dzīvesvietas deklarēšana'],
    ['gada ienakumu deklaracija', 'gada ienākumu deklarācija'],
    ['kadastrālā vērtība zemei', 'kadastrs'],
  ])('"%s" finds the article on %s first', async (q, topic) => {
    const top = await topOf(q, { language: 'lv' });
    expect(top.article.topic).toBe(topic);
    expect(top.score).toBeGreaterThan(0.4);
    expect(top.article.published).toBe(true);
  });

  it('tolerates a typo by trigram similarity, and scores a vague guess lower than a clear answer', async () => {
    const typo = await topOf('bezdarbneika pabalsts', { language: 'lv' });
    expect(typo.article.topic).toBe('bezdarbnieka pabalsts');
    const clear = await topOf('Kā saņemt bezdarbnieka pabalstu?', { language: 'lv' });
    expect(clear.score).toBeGreaterThan(typo.score);
    expect(clear.score).toBeGreaterThanOrEqual(0.7);
  });

  it('searches in Russian and English, and filters by language and institution (keeping general articles)', async () => {
    expect((await topOf('пособие по безработице', { language: 'ru' })).article.topic).toBe('bezdarbnieka pabalsts');
    expect((await topOf('passport lost', { language: 'en' })).article.institution).toBe('PMLP');
    const onlyVid = (await search('deklarācija', { institution: 'VID', limit: '20' })).body.results;
    expect(onlyVid.length).toBeGreaterThan(0);
    expect(onlyVid.every((r: any) => r.article.institution === 'VID' || r.article.institution === null)).toBe(true);
    expect((await search('labdien paldies', { language: 'lv' })).body.results).toEqual([]);
  });

  it("suggests answers for a ticket from the customer's own words, within the reader's scope", async () => {
    // The factory's web form asks how to apply for an old-age pension, and what documents are needed.
    const reference = await env.submitTicket(app, { institution: 'VSAA' });
    const res = await http().get(`/v1/tickets/${reference}/suggestions`).set('Authorization', `Bearer ${tokens.op}`).expect(200);
    expect(res.body.results[0].article).toMatchObject({ topic: 'vecuma pensija', language: 'lv', institution: 'VSAA' });
    await http().get('/v1/tickets/VP-2000-000001/suggestions').set('Authorization', `Bearer ${tokens.op}`).expect(404);
  });

  it('is a plain service the chat assistant, IVR and e-mail can call', async () => {
    const results = await app.get(KnowledgeSearchService).search('pensija', { language: 'lv', limit: 2 });
    expect(results.length).toBeGreaterThan(0);
    expect(results.length).toBeLessThanOrEqual(2);
    expect(results[0].article.topic).toBe('vecuma pensija');
    expect(results[0].score).toBeGreaterThan(0);
  });

  it('lets admins and supervisors write articles that search finds once published, and refuses bad input', async () => {
    const created = await http()
      .post('/v1/admin/knowledge/articles')
      .set('Authorization', `Bearer ${tokens.sup}`)
      .send({
        questions: ['Kā pieteikt suņa čipošanu?'],
        answer: 'Suni reģistrē Lauksaimniecības datu centrā.',
        language: 'lv',
        institution: 'LAD',
        topic: 'mājdzīvnieki',
      })
      .expect(201);
    expect(created.body).toMatchObject({ institution: 'LAD', published: false, questions: ['Kā pieteikt suņa čipošanu?'] });
    expect(created.body.searchVector).toBeUndefined();
    expect((await search('suna cipošana')).body.results.map((r: any) => r.article.id)).not.toContain(created.body.id);

    const patched = await http()
      .patch(`/v1/admin/knowledge/articles/${created.body.id}`)
      .set('Authorization', `Bearer ${tokens.admin}`)
      .send({ published: true, questions: ['Kā pieteikt suņa čipošanu?', 'Kur reģistrēt suni?'] })
      .expect(200);
    expect(patched.body.published).toBe(true);
    const found = await topOf('kur registret sunus');
    expect(found.article.id).toBe(created.body.id);

    const bad = await http()
      .post('/v1/admin/knowledge/articles')
      .set('Authorization', `Bearer ${tokens.admin}`)
      .send({ questions: [], answer: '', language: 'de', institution: 'NOPE' })
      .expect(422);
    expect(bad.body.errors.map((e: any) => e.field).sort()).toEqual(expect.arrayContaining(['answer', 'language', 'questions']));
    const unknown = await http()
      .post('/v1/admin/knowledge/articles')
      .set('Authorization', `Bearer ${tokens.admin}`)
      .send({ questions: ['Jautājums?'], answer: 'Atbilde.', language: 'lv', institution: 'NOPE' })
      .expect(422);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'institution', code: 'unknown' })]);

    await http().post('/v1/admin/knowledge/articles').set('Authorization', `Bearer ${tokens.op}`).send({}).expect(403);

    const page1 = await http()
      .get('/v1/admin/knowledge/articles')
      .query({ limit: 20 })
      .set('Authorization', `Bearer ${tokens.admin}`)
      .expect(200);
    expect(page1.body.items).toHaveLength(20);
    const page2 = await http()
      .get('/v1/admin/knowledge/articles')
      .query({ limit: 20, cursor: page1.body.nextCursor })
      .set('Authorization', `Bearer ${tokens.admin}`)
      .expect(200);
    const ids = [...page1.body.items, ...page2.body.items].map((a: any) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toContain(created.body.id);

    await http().delete(`/v1/admin/knowledge/articles/${created.body.id}`).set('Authorization', `Bearer ${tokens.admin}`).expect(204);
    await http().get(`/v1/admin/knowledge/articles/${created.body.id}`).set('Authorization', `Bearer ${tokens.admin}`).expect(404);
  });

  it('answers a search without a query with a field-level problem', async () => {
    const res = await http().get('/v1/knowledge/search').set('Authorization', `Bearer ${tokens.op}`).expect(422);
    expect(res.body.errors[0].field).toBe('q');
  });
});
