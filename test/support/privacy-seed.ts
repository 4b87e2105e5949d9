import { INestApplication } from '@nestjs/common';
import { AuditService } from '../../src/audit/audit.service';
import { ChatSessionsService } from '../../src/channels/chat/chat-sessions.service';
import { CsatService } from '../../src/csat/csat.service';
import { InboundService } from '../../src/inbound/inbound.service';
import { PDF_BYTES, webformSubmission } from './factories';
import { eventually, TestEnv } from './test-env';

/** The person a subject request is about: she wrote a web form and an e-mail, called, chatted and rated an answer. */
/** Anna's call was recorded: Twilio holds the recording under this id. */
export const ANNA_RECORDING_SID = `RE${'0a'.repeat(16)}`;

export const ANNA = {
  personalCode: '32345678901',
  firstName: 'Anna',
  lastName: 'Bērziņa',
  email: 'anna.berzina@example.lv',
  workEmail: 'anna.b@darbs.example',
  phone: '+37120000011',
  texts: ['Pensijas kapitāls AX1', 'Deklarācija AX2 netika pieņemta', 'Zvana piezīme AX3', 'Čatā rakstīju AX4', 'Paldies AX5'],
  heldText: 'Sūdzība par lēmumu AX9',
};

/** Another person with a similar name, who gave the same (household) phone line. */
export const BERTA = {
  personalCode: '32345678902',
  firstName: 'Anna',
  lastName: 'Bērziņš',
  email: 'anna.berzins@example.lv',
  phone: ANNA.phone,
  text: 'Cits cilvēks BX1',
};

const ticketOf = async (env: TestEnv, externalId: string) =>
  eventually(
    async () =>
      (
        await env.sql(
          `SELECT t.id, t.reference, t.customer_id FROM tickets t JOIN messages m ON m.ticket_id = t.id WHERE m.external_id = $1`,
          [externalId],
        )
      )[0],
  );

export interface Seeded {
  anna: { webform: string; email: string; call: string; chat: string; held: string; chatSession: string };
  berta: { webform: string; customerId: string };
}

/** Both people's contacts, through the shared inbound pipeline each channel uses. */
export async function seedPeople(env: TestEnv, app: INestApplication, submit: (body: object) => Promise<string>): Promise<Seeded> {
  const inbound = app.get(InboundService);
  const webformId = `LV-anna-${env.name}`;
  await submit(
    webformSubmission({
      submissionId: webformId,
      applicant: {
        firstName: ANNA.firstName,
        lastName: ANNA.lastName,
        personalCode: ANNA.personalCode,
        email: ANNA.email,
        phone: ANNA.phone,
        authenticated: true,
      },
      message: ANNA.texts[0],
      attachments: [{ filename: 'iesniegums.pdf', contentType: 'application/pdf', contentBase64: PDF_BYTES.toString('base64') }],
    }),
  );
  const bertaId = `LV-berta-${env.name}`;
  await submit(
    webformSubmission({
      submissionId: bertaId,
      applicant: {
        firstName: BERTA.firstName,
        lastName: BERTA.lastName,
        personalCode: BERTA.personalCode,
        email: BERTA.email,
        phone: BERTA.phone,
        authenticated: true,
      },
      message: BERTA.text,
    }),
  );
  const mail = { firstName: ANNA.firstName, lastName: ANNA.lastName, provenance: 'channel' as const };
  await inbound.accept({
    channel: 'email',
    externalId: `<anna-1@${env.name}.example>`,
    from: {
      firstName: mail.firstName,
      lastName: mail.lastName,
      address: ANNA.email,
      identifiers: [{ kind: 'email', value: ANNA.email, provenance: 'channel' }],
    },
    subject: 'Par deklarāciju',
    text: ANNA.texts[1],
    meta: { mailbox: 'default', headers: { from: `${ANNA.firstName} ${ANNA.lastName} <${ANNA.email}>` } },
  });
  const callSid = `CA${env.name
    .replace(/[^a-z0-9]/g, '')
    .padEnd(32, '0')
    .slice(0, 32)}`;
  await env.sql(
    `INSERT INTO calls (call_sid, from_number, to_number, recording_sid, recording_url, recording_seconds) VALUES ($1, $2, '+37167000000', $3, $4, 12)`,
    [
      callSid,
      ANNA.phone,
      ANNA_RECORDING_SID,
      `https://api.twilio.com/2010-04-01/Accounts/AC${'a1'.repeat(16)}/Recordings/${ANNA_RECORDING_SID}`,
    ],
  );
  await inbound.accept({
    channel: 'voice',
    externalId: callSid,
    from: { address: ANNA.phone, identifiers: [{ kind: 'phone', value: ANNA.phone, provenance: 'channel' }] },
    kind: 'consultation',
    subject: `Call from ${ANNA.phone}`,
    text: ANNA.texts[2],
    meta: { callSid },
  });
  const sessions = app.get(ChatSessionsService);
  const { session } = await sessions.create({
    language: 'lv',
    name: ANNA.firstName,
    email: ANNA.email,
    institution: null,
    topic: null,
    mode: 'bot',
  });
  await sessions.append(session.id, { id: 'e1', author: 'visitor', text: ANNA.texts[3], at: new Date().toISOString() });
  await inbound.accept({
    channel: 'chat',
    externalId: `${session.id}:m1`,
    from: {
      address: `chat:${session.id}`,
      identifiers: [
        { kind: 'chat_session', value: session.id, provenance: 'channel' },
        { kind: 'email', value: ANNA.email, provenance: 'citizen' },
      ],
    },
    language: 'lv',
    kind: 'consultation',
    text: ANNA.texts[3],
  });
  await inbound.accept({
    channel: 'email',
    externalId: `<anna-held@${env.name}.example>`,
    from: {
      firstName: mail.firstName,
      lastName: mail.lastName,
      address: ANNA.workEmail,
      identifiers: [{ kind: 'email', value: ANNA.workEmail, provenance: 'channel' }],
    },
    subject: 'Sūdzība',
    text: ANNA.heldText,
  });
  const webform = await ticketOf(env, webformId);
  await app.get(CsatService, { strict: false }).record(webform.id, 4, 'email', ANNA.texts[4]);
  const berta = await ticketOf(env, bertaId);
  // What staff did with her contacts is in the audit trail too: a call-back to her number, a hand-over quoting her.
  const call = await ticketOf(env, callSid);
  const chat = await ticketOf(env, `${session.id}:m1`);
  await app.get(AuditService, { strict: false }).record([
    {
      actorAgentId: null,
      action: 'ticket.call_back',
      subjectType: 'ticket',
      subjectId: call.id,
      detail: { reference: call.reference, to: ANNA.phone },
    },
    {
      actorAgentId: null,
      action: 'ticket.escalated',
      subjectType: 'ticket',
      subjectId: chat.id,
      detail: { reference: chat.reference, reason: ANNA.texts[3] },
    },
  ]);
  return {
    anna: {
      webform: webform.reference,
      email: (await ticketOf(env, `<anna-1@${env.name}.example>`)).reference,
      call: (await ticketOf(env, callSid)).reference,
      chat: (await ticketOf(env, `${session.id}:m1`)).reference,
      held: (await ticketOf(env, `<anna-held@${env.name}.example>`)).reference,
      chatSession: session.id,
    },
    berta: { webform: berta.reference, customerId: berta.customer_id },
  };
}

/** Anna's identifiers as the DPO, having checked them, gives them. */
export const annaRequest = (kind: 'access' | 'erasure') => ({
  kind,
  identifier: { kind: 'personal_code', value: ANNA.personalCode },
  otherIdentifiers: [
    { kind: 'email', value: ANNA.email.toUpperCase() },
    { kind: 'email', value: ANNA.workEmail },
    { kind: 'phone', value: '2000 0011' },
  ],
  reason: `Letter of ${ANNA.firstName} ${ANNA.lastName} of 2 December, identity checked with an eID signature`,
});
