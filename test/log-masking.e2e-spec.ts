import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger as PinoLogger } from 'nestjs-pino';
import request from 'supertest';
import { AppModule } from '../src/app.module';
import { configureHttp, httpAdapter } from '../src/http-setup';
import { openAroundTheClock } from './support/calendar';
import { ChatVisitor } from './support/chat-visitor';
import { webformSubmission } from './support/factories';
import { eventually, login, signedSubmission, TestEnv } from './support/test-env';

const TELEGRAM_SECRET = 'telegram_secret-token-log-test';
/** The people of this test: none of these may appear in any log line. */
const PERSONAL_CODE = '050385-12347';
const EMAIL = 'liga.kalnina.logtest@example.lv';
const PHONE = '+37129876543';
const CHAT_EMAIL = 'peteris.logtest@example.lv';
const CHAT_PHONE = '26543210';
const TELEGRAM_PHONE = '+37128887766';
const SECRETS = [
  PERSONAL_CODE,
  PERSONAL_CODE.replace('-', ''),
  EMAIL,
  PHONE,
  PHONE.slice(4),
  CHAT_EMAIL,
  CHAT_PHONE,
  TELEGRAM_PHONE,
  TELEGRAM_PHONE.slice(4),
];

describe('logs: a run across channels, debug level, leaks no personas kods, phone or e-mail', () => {
  const env = new TestEnv();
  const lines: string[] = [];
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    // As main.ts builds it, with the application's own logger, everything logged, and the lines kept here.
    const config = env.config({
      APP_ROLE: 'all',
      LOG_LEVEL: 'debug',
      TELEGRAM_SECRET_TOKEN: TELEGRAM_SECRET,
      TELEGRAM_BOT_TOKEN: '123456:LOG-test-token',
    });
    app = await NestFactory.create<NestFastifyApplication>(
      AppModule.forRoot(config, {
        logs: { write: (line: string) => lines.push(line) },
      }),
      httpAdapter(config),
      { bodyParser: false, bufferLogs: true },
    );
    app.useLogger(app.get(PinoLogger));
    configureHttp(app);
    await app.listen(0, '127.0.0.1');
    await openAroundTheClock(env);
  });
  afterAll(async () => {
    await app.close();
    await env.teardown();
  });

  it('masks what the channels, the pipeline and the code log', async () => {
    // Web form: the applicant's personas kods, e-mail and phone, and the same in the free text.
    const form = webformSubmission({
      applicant: { firstName: 'Līga', lastName: 'Kalniņa', personalCode: PERSONAL_CODE, email: EMAIL, phone: PHONE },
      message: `Mans personas kods ir ${PERSONAL_CODE}, zvaniet ${PHONE} vai rakstiet ${EMAIL}.`,
    });
    const accepted = await signedSubmission(app, form).expect(202);
    // A refused one, the body quoted in no log either.
    await signedSubmission(app, { ...form, submissionId: 'bad', applicant: { email: EMAIL } }).expect(422);

    // Chat: the visitor gives an address at the start and types a phone number.
    const visitor = await ChatVisitor.connect(app);
    expect(await visitor.start({ language: 'lv', name: 'Pēteris', email: CHAT_EMAIL })).toMatchObject({ ok: true });
    const said = await visitor.say(`Lūdzu piezvaniet uz ${CHAT_PHONE} vai rakstiet ${CHAT_EMAIL}, gribu runāt ar cilvēku`);
    expect(said).toMatchObject({ ok: true });
    visitor.close();

    // Telegram: a shared contact card and a phone number in the text.
    await http()
      .post('/v1/channels/social/telegram/webhook')
      .set('X-Telegram-Bot-Api-Secret-Token', TELEGRAM_SECRET)
      .send({
        update_id: 990001,
        message: {
          message_id: 5,
          from: { id: 7770001, is_bot: false, first_name: 'Anna' },
          chat: { id: 7770001, type: 'private' },
          date: Math.floor(Date.now() / 1000),
          text: `Mans tālrunis ${TELEGRAM_PHONE}`,
        },
      })
      .expect(200);

    // The staff API: an admin reads the web form's ticket.
    const token = await login(app);
    await eventually(async () => (await env.sql('SELECT 1 FROM tickets WHERE reference = $1', [accepted.body.reference])).length === 1);
    await http().get(`/v1/tickets/${accepted.body.reference}`).set('Authorization', `Bearer ${token}`).expect(200);
    await http()
      .get(`/v1/tickets?q=${encodeURIComponent(EMAIL)}`)
      .set('Authorization', `Bearer ${token}`)
      .expect(200);

    // And code that logs free text carelessly, the way a future bug would: the line is masked all the same.
    new Logger('Careless').warn(`could not reach ${EMAIL} (${PERSONAL_CODE}), phone ${PHONE}`);
    new Logger('Careless').error(new Error(`duplicate key (email)=(${CHAT_EMAIL})`));

    await eventually(async () => (await env.sql(`SELECT count(*)::int AS n FROM inbound_events WHERE status = 'accepted'`))[0].n === 0);
    await eventually(async () => lines.some((l) => l.includes('Careless')));

    const log = lines.join('');
    expect(lines.length).toBeGreaterThan(20);
    for (const secret of SECRETS) expect(log).not.toContain(secret);
    const careless = lines.find((l) => l.includes('could not reach'))!;
    expect(careless).toContain('could not reach [e-mail] ([personas kods]), phone [phone]');

    // One line per accepted web form: its access line says which submission became which reference.
    const entries = lines.map((l) => JSON.parse(l) as { msg?: string; req?: { id?: string; url?: string }; res?: { statusCode?: number } });
    const accessLines = entries.filter((e) => e.req?.url === '/v1/channels/webform/submissions' && e.res?.statusCode === 202);
    expect(accessLines).toEqual([
      expect.objectContaining({ submissionId: form.submissionId, reference: accepted.body.reference, duplicate: false }),
    ]);
    expect(entries.filter((e) => e.msg?.includes('submission accepted'))).toEqual([]);

    // What the code logs while serving a request carries that request, as its access line does.
    const refusal = entries.find((e) => e.msg === 'web-form submission refused')!;
    const refusedLine = entries.find((e) => e.req?.url === '/v1/channels/webform/submissions' && e.res?.statusCode === 422)!;
    expect(refusal.req?.id).toEqual(expect.any(String));
    expect(refusal.req?.id).toBe(refusedLine.req?.id);
  }, 120_000);

  it("writes no access line for Twilio's steps, only a warning for one that was not served", async () => {
    await http().post('/v1/channels/voice/twilio/incoming').type('form').send({ CallSid: 'CA1' }).expect(503);
    await eventually(async () => lines.some((l) => l.includes('Twilio webhook not served')));
    const entries = lines.map((l) => JSON.parse(l) as { msg?: string; req?: { url?: string } });
    const twilio = entries.filter((e) => e.req?.url === '/v1/channels/voice/twilio/incoming');
    expect(twilio.map((e) => e.msg)).toEqual(['Twilio webhook not served']);
  });
});
