import { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { stem } from '@lib/search-terms';
import { randomUUID } from 'node:crypto';
import { AgentsService } from '../src/agents/agents.service';
import type { AuthUser } from '../src/auth/auth-user';
import { InboundService } from '../src/inbound/inbound.service';
import { eraseTicketContent } from '../src/tickets/ticket-content-erasure';
import { contactedSinceQuery } from '../src/tickets/ticket-search';
import { ticketListQuery } from '../src/tickets/tickets-query.service';
import { PDF_BYTES } from './support/factories';
import { countRowUpdates } from './support/row-updates';
import { login, TestEnv } from './support/test-env';

describe('inbox search: any word of any message, in any form, within the searcher’s scope', () => {
  const env = new TestEnv();
  let app: INestApplication;
  const tokens: Record<string, string> = {};
  const refs: Record<string, string> = {};
  const PASSWORD = 'a-long-enough-password';

  const search = (who: string, q: string, extra = '') =>
    request(app.getHttpServer())
      .get(`/v1/tickets?q=${encodeURIComponent(q)}${extra}`)
      .set('Authorization', `Bearer ${tokens[who]}`);
  const found = async (who: string, q: string) => ((await search(who, q).expect(200)).body.items as any[]).map((t) => t.reference).sort();

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all' });
    const agents = app.get(AgentsService);
    const staff: Array<[string, string[], string[]?]> = [
      ['operator', ['operator']],
      ['supervisor', ['supervisor']],
      ['vsaa', ['specialist'], ['VSAA']],
      ['vid', ['specialist'], ['VID']],
      ['expert', ['expert'], ['VSAA']],
    ];
    for (const [name, roles, institutionCodes] of staff) {
      await agents.upsert({ email: `${name}@search.test`, displayName: name, password: PASSWORD, roles: roles as any, institutionCodes });
      tokens[name] = await login(app, `${name}@search.test`, PASSWORD);
    }
    tokens.admin = await login(app);

    refs.pension = await env.submitTicket(app, {
      institution: 'VSAA',
      subject: 'Jautājums',
      message: 'Labdien! Kā pieteikties vecuma pensijai, un vai vajadzīgas izziņas no darba devēja?',
      applicant: { firstName: 'Anna', lastName: 'Ozola', email: 'anna.ozola@example.lv', phone: '+37120000001' },
    });
    refs.tax = await env.submitTicket(app, {
      institution: 'VID',
      subject: 'Deklarācija',
      message: 'Kur iesniegt gada ienākumu deklarāciju par 2025. gadu?',
      applicant: { firstName: 'Pēteris', lastName: 'Kalns', email: 'peteris@example.lv' },
    });
    refs.file = await env.submitTicket(app, {
      institution: 'VSAA',
      subject: 'Dokuments',
      message: 'Pielikumā dokuments.',
      applicant: { firstName: 'Ilze', lastName: 'Zariņa', email: 'ilze@example.lv' },
      attachments: [
        { filename: 'apliecinajums_slimibas_lapa.pdf', contentType: 'application/pdf', contentBase64: PDF_BYTES.toString('base64') },
      ],
    });
    refs.script = await env.submitTicket(app, {
      institution: 'VSAA',
      subject: '<script>alert(1)</script>',
      message: '<img src=x onerror=alert(1)> bezdarbnieka pabalsts',
      applicant: { firstName: 'X', lastName: 'Y', email: 'xy@example.lv' },
    });
  });
  afterAll(() => env.teardown());

  it('finds a Latvian word in another form, and a word typed without its diacritics', async () => {
    expect(await found('operator', 'pensija')).toEqual([refs.pension]);
    expect(await found('operator', 'izzinu')).toEqual([refs.pension]);
    expect(await found('operator', 'deklaracija')).toEqual([refs.tax]);
    expect(await found('operator', 'deklarācija vecuma')).toEqual([]); // every word must match
  });

  it('finds a word by its stem, and by its beginning only when written with a star', async () => {
    expect(await found('operator', 'deklar')).toEqual([]);
    expect(await found('operator', 'deklar*')).toEqual([refs.tax]);
    expect(await found('operator', 'Deklarācij* ienākumu')).toEqual([refs.tax]);
    const res = await search('operator', 'pieteik*').expect(200);
    const { snippet: marked } = res.body.items[0].match;
    expect(marked.highlights.map(([a, b]: [number, number]) => marked.text.slice(a, b))).toEqual(['pieteikties']);
  });

  it('stems the documents’ words in PostgreSQL exactly as the library stems a search', async () => {
    const bases = ['pabalst', 'izzin', 'deklaracij', 'ab', 'abc', 'abcd', 'uzturesan', 'пенс', 'дом', 'ма', 'справк', 'x1', '2025'];
    // Endings of both alphabets, and strings that are none, after stems long and short enough to keep a stem.
    const endings = ['', ...'ajiem amies oties ties iem ajs as ij ot a s t иями ться тся ий ах ть ю й 7'.split(' ')];
    const words = [...new Set(bases.flatMap((b) => endings.map((e) => b + e)))];
    const rows = await env.sql<{ word: string; stems: string }>(
      `SELECT w AS word, ticket_search_stems(array_to_tsvector(ARRAY[w]))::text AS stems FROM unnest($1::text[]) w`,
      [words],
    );
    const expected = (w: string) => (stem(w, 'lv') === w ? '' : `'${stem(w, 'lv')}'`);
    expect(rows.filter((r) => r.stems !== expected(r.word))).toEqual([]);
    expect(rows).toHaveLength(words.length);
  });

  it('says where it matched and marks the words by offsets, leaving markup as text', async () => {
    const res = await search('operator', 'pensijas').expect(200);
    const [item] = res.body.items;
    expect(item.match).toMatchObject({ field: 'message' });
    const marked = item.match.snippet.highlights.map(([a, b]: [number, number]) => item.match.snippet.text.slice(a, b));
    expect(marked).toEqual(['pensijai']);

    const hostile = await search('operator', 'pabalsts').expect(200);
    expect(hostile.body.items[0].match.snippet.text).toContain('<img src=x onerror=alert(1)>');
  });

  it('finds a phone number in any format, an e-mail address, a reference and a file name', async () => {
    expect(await found('operator', '+371 2000 0001')).toEqual([refs.pension]);
    expect(await found('operator', '20000001')).toEqual([refs.pension]);
    expect(await found('operator', 'Anna.Ozola@example.lv')).toEqual([refs.pension]);
    expect(await found('operator', refs.tax.toLowerCase())).toEqual([refs.tax]);
    expect(await found('operator', 'slimības lapa')).toEqual([refs.file]);
    expect(await found('operator', 'Zariņa')).toEqual([refs.file]);
  });

  it('never finds a ticket outside the searcher’s scope, for any role', async () => {
    for (const who of ['admin', 'supervisor', 'operator']) expect(await found(who, 'pensija')).toEqual([refs.pension]);
    expect(await found('vsaa', 'pensija')).toEqual([refs.pension]);
    expect(await found('vid', 'pensija')).toEqual([]);
    expect(await found('vid', '+37120000001')).toEqual([]);
    expect(await found('vid', refs.pension)).toEqual([]);
    expect(await found('vsaa', 'deklaracija')).toEqual([]);
    // An expert sees only level-3 cases: none of these.
    expect(await found('expert', 'pensija')).toEqual([]);
  });

  it('sorts by relevance on request and pages through it with the cursor', async () => {
    const first = await search('operator', 'pensija izzinas', '&sort=relevance&limit=1').expect(200);
    expect(first.body.items.map((t: any) => t.reference)).toEqual([refs.pension]);
    expect(first.body.nextCursor).toBeNull();
    const all = await search('operator', 'dokuments', '&sort=relevance&limit=1').expect(200);
    expect(all.body.items).toHaveLength(1);
    await request(app.getHttpServer()).get('/v1/tickets?sort=relevance').set('Authorization', `Bearer ${tokens.operator}`).expect(422);
  });

  it('pages through a search newest first, the first page found along the list and the rest after the cursor', async () => {
    const older = await env.submitTicket(app, {
      institution: 'VID',
      subject: 'Maksājums',
      message: 'Kur atrast kvīti par samaksāto nodokli?',
    });
    const newer = await env.submitTicket(app, { institution: 'VID', subject: 'Maksājums', message: 'Vai kvītis ir vajadzīgas?' });
    const first = await search('operator', 'kvits', '&limit=1').expect(200);
    expect(first.body.items.map((t: any) => t.reference)).toEqual([newer]);
    expect(first.body.items[0].match).toMatchObject({ field: 'message' });
    const second = await search('operator', 'kvits', `&limit=1&cursor=${first.body.nextCursor}`).expect(200);
    expect(second.body.items.map((t: any) => t.reference)).toEqual([older]);
    expect(second.body.nextCursor).toBeNull();
    expect(await found('vsaa', 'kvits')).toEqual([]);
  });

  it('keeps the other filters with a search', async () => {
    const res = await search('operator', 'pensija', '&institution=VID').expect(200);
    expect(res.body.items).toEqual([]);
  });

  it('finds a ticket whose words stand in different places: one in a message, another in the customer’s name', async () => {
    const res = await search('operator', 'pensija Ozola').expect(200);
    expect(res.body.items.map((t: any) => t.reference)).toEqual([refs.pension]);
    const { snippet: marked } = res.body.items[0].match;
    expect(marked.highlights.map(([a, b]: [number, number]) => marked.text.slice(a, b))).toEqual(['pensijai']);
  });

  it('finds the matches of a recent period in the documents of those days alone, exactly the tickets contacted since', async () => {
    const ages = [0.2, 1.5, 6, 20, 45, 200]; // days before now, newest first
    const made: string[] = [];
    for (const [i, days] of ages.entries()) {
      const reference = await env.submitTicket(app, {
        institution: 'VSAA',
        subject: 'Meliorācija',
        message: `Meliorācijas grāvis Nr. ${i}`,
      });
      // A contact time set after the fact (as a counter contact's may be): the document is built again with its day.
      await env.sql(`UPDATE tickets SET created_at = now() - $2 * interval '1 day' WHERE reference = $1`, [reference, days]);
      made.push(reference);
    }
    const [{ id }] = await env.sql<{ id: string }>(`SELECT id FROM agents WHERE email = 'operator@search.test'`);
    const operator: AuthUser = { id, email: 'operator@search.test', roles: ['operator'], institutionIds: [] };
    const db = app.get(DataSource);
    for (const sort of [undefined, 'relevance'] as const) {
      const list = ticketListQuery(operator, { q: 'meliorācija', sort });
      expect((await db.query(list.text, list.params)).map((r: any) => r.id)).toHaveLength(made.length);
      for (const days of [0.1, 1, 3, 10, 30, 100, 1000]) {
        const since = new Date(Date.now() - days * 86_400_000);
        const rows = await db.transaction((m) =>
          m.query(list.recent!.text, [
            ...list.params,
            since.toISOString(),
            contactedSinceQuery(since, new Date(Date.now() + 86_400_000), true),
          ]),
        );
        const references = await env.sql<{ reference: string }>(
          `SELECT reference FROM tickets WHERE id = ANY($1) ORDER BY created_at DESC`,
          [rows.map((r: any) => r.id)],
        );
        expect([days, references.map((r) => r.reference)]).toEqual([days, made.filter((_, i) => ages[i] <= days)]);
      }
    }
    expect(await found('operator', 'melioracija')).toEqual([...made].sort());
  });

  it('finds a ticket moved to another institution for that institution’s specialists only', async () => {
    const reference = await env.submitTicket(app, { institution: 'VSAA', subject: 'Zvejniecība', message: 'Zvejniecības atļauja' });
    expect(await found('vsaa', 'zvejniecibas')).toEqual([reference]);
    await env.sql(`UPDATE tickets SET institution_id = (SELECT id FROM institutions WHERE code = 'VID') WHERE reference = $1`, [reference]);
    expect(await found('vsaa', 'zvejniecibas')).toEqual([]);
    expect(await found('vid', 'zvejniecibas')).toEqual([reference]);
    expect((await search('vid', 'zvejniecibas', '&sort=relevance').expect(200)).body.items.map((t: any) => t.reference)).toEqual([
      reference,
    ]);
  });

  describe('the search documents follow every change, whoever makes it', () => {
    const api = () => request(app.getHttpServer());
    const customerOf = async (reference: string) =>
      (await api().get(`/v1/tickets/${reference}`).set('Authorization', `Bearer ${tokens.operator}`).expect(200)).body.customer
        .id as string;
    /** Each document as its words and where they stood, which must be what building it again from the rows gives. */
    const documents = () =>
      env.sql<{ ticket_id: string; words: string }>(
        `SELECT ticket_id, string_agg(lexeme || ':' || array_to_string(ARRAY(SELECT DISTINCT w FROM unnest(weights) w ORDER BY w), ''), ' ' ORDER BY lexeme) AS words
         FROM ticket_search_documents, unnest(document) GROUP BY ticket_id ORDER BY ticket_id`,
      );

    it("writes a new ticket's document once, the same as one built again from its rows; a note appends to it", async () => {
      // Every version written of a document after its first.
      const updates = await countRowUpdates(env, 'ticket_search_documents', 'ticket_id');
      const asBuiltAgain = async (id: string) =>
        (
          await env.sql<{ same: boolean }>(
            `SELECT d.document = ticket_search_document(t) AS same FROM tickets t JOIN ticket_search_documents d ON d.ticket_id = t.id WHERE t.id = $1`,
            [id],
          )
        )[0].same;
      try {
        const reference = await env.submitTicket(app, {
          institution: 'VSAA',
          subject: 'Apliecība',
          message: 'Vai varu saņemt apliecību par bērna kopšanas atvaļinājumu?',
          applicant: { firstName: 'Līga', lastName: 'Bērziņa', email: 'liga@example.lv' },
        });
        const [{ id }] = await env.sql<{ id: string }>(`SELECT id FROM tickets WHERE reference = $1`, [reference]);
        expect(await updates.of(id)).toBe(0);
        expect(await asBuiltAgain(id)).toBe(true);
        expect(await found('operator', 'kopšanas Bērziņa')).toEqual([reference]);

        await api()
          .post(`/v1/tickets/${reference}/notes`)
          .set('Authorization', `Bearer ${tokens.operator}`)
          .send({ text: 'Nosūtīts.' })
          .expect(201);
        expect(await updates.of(id)).toBe(1);
        expect(await found('operator', 'nosutits')).toEqual([reference]);
      } finally {
        await updates.stop();
      }
    });

    it('leaves out automatic messages: an acknowledgement is not found by its words, built with the ticket or added later', async () => {
      const updates = await countRowUpdates(env, 'ticket_search_documents', 'ticket_id');
      try {
        const address = `${randomUUID().slice(0, 8)}@example.lv`;
        const accepted = await app.get(InboundService).accept({
          channel: 'email',
          externalId: `<${randomUUID()}@example.lv>`,
          from: { address, identifiers: [{ kind: 'email', value: address, provenance: 'channel' }] },
          subject: 'Uzturlīdzekļi',
          text: 'Labdien! Kā pieteikt uzturlīdzekļu garantiju fonda izmaksu?',
          autoReply: { address },
        });
        const { id, reference } = await env.ticketOfEvent(accepted.eventId);
        const [ack] = await env.sql<{ text: string }>(`SELECT text FROM messages WHERE ticket_id = $1 AND author_type = 'bot'`, [id]);
        expect(ack.text).toContain('reģistrēta');
        const [{ same }] = await env.sql<{ same: boolean }>(
          `SELECT d.document = ticket_search_document(t) AS same FROM tickets t JOIN ticket_search_documents d ON d.ticket_id = t.id WHERE t.id = $1`,
          [id],
        );
        expect(same).toBe(true);
        expect(await found('operator', 'garantiju')).toEqual([reference]);
        expect(await found('operator', 'reģistrēta')).toEqual([]);

        // Added later, as the satisfaction survey is: the document is not even rewritten.
        await env.sql(
          `INSERT INTO messages (id, ticket_id, channel, direction, author_type, text, address, delivery_status)
           VALUES ($1, $2, 'email', 'outbound', 'bot', 'Lūdzu novērtējiet mūsu apkalpošanu', $3, 'queued')`,
          [randomUUID(), id, address],
        );
        expect(await found('operator', 'novertejiet')).toEqual([]);
        expect(await updates.of(id)).toBe(0);
        const res = await search('operator', 'uzturlidzeklu garantiju').expect(200);
        expect(res.body.items.map((t: any) => [t.reference, t.match.field])).toEqual([[reference, 'message']]);
      } finally {
        await updates.stop();
      }
    });

    it('finds a note as soon as it is written, below a message with the same word', async () => {
      await api()
        .post(`/v1/tickets/${refs.tax}/notes`)
        .set('Authorization', `Bearer ${tokens.operator}`)
        .send({ text: 'Atzvanīju, kvīts atrasta.' })
        .expect(201);
      const res = await search('operator', 'kvits', '&sort=relevance').expect(200);
      const ranked = res.body.items.map((t: any) => t.reference);
      expect(ranked).toHaveLength(3);
      expect(ranked[2]).toBe(refs.tax);
      expect(res.body.items[2].match).toMatchObject({ field: 'note' });
    });

    it('finds a customer by the corrected name and no longer by the old one', async () => {
      await api()
        .patch(`/v1/customers/${await customerOf(refs.tax)}`)
        .set('Authorization', `Bearer ${tokens.operator}`)
        .send({ lastName: 'Dzeņmeža' })
        .expect(200);
      expect(await found('operator', 'Dzenmeza')).toEqual([refs.tax]);
      expect(await found('operator', 'Kalns')).toEqual([]);
    });

    it('finds merged tickets by the name of the record they moved to, and again by the old one once the merge is undone', async () => {
      const into = await customerOf(refs.pension);
      const merged = await api()
        .post(`/v1/customers/${into}/merge`)
        .set('Authorization', `Bearer ${tokens.operator}`)
        .send({ from: await customerOf(refs.file) })
        .expect(200);
      expect(await found('operator', 'Ozola')).toEqual([refs.pension, refs.file].sort());
      expect(await found('operator', 'Zariņa')).toEqual([]);
      await api().post(`/v1/customers/merges/${merged.body.merge.id}/undo`).set('Authorization', `Bearer ${tokens.operator}`).expect(200);
      expect(await found('operator', 'Zariņa')).toEqual([refs.file]);
      expect(await found('operator', 'Ozola')).toEqual([refs.pension]);
    });

    it('forgets an erased ticket’s words and file names, and keeps every document equal to one built again', async () => {
      const [ticket] = await env.sql<{ id: string }>(`SELECT id FROM tickets WHERE reference = $1`, [refs.file]);
      await app.get(DataSource).transaction((m) => eraseTicketContent(m, [ticket.id]));
      expect(await found('operator', 'slimības lapa')).toEqual([]);
      expect(await found('operator', 'dokuments')).not.toContain(refs.file);
      expect(await found('operator', 'Zariņa')).toEqual([refs.file]); // the person's record is not this ticket's content

      const kept = await documents();
      expect(kept.length).toBeGreaterThanOrEqual(Object.keys(refs).length);
      const [{ rebuilt }] = await env.sql<{ rebuilt: string }>(`SELECT ticket_search_rebuild() AS rebuilt`);
      expect(Number(rebuilt)).toBe(kept.length);
      expect(await documents()).toEqual(kept);
    });
  });
});
