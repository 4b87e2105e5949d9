import { strToU8, zipSync, type Zippable } from 'fflate';
import type { RedisClient } from '../common/redis-connection';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { CALLS_OF_TICKETS, chatSessionsOf, chatTranscript } from './subject-data';
import type { FoundSubject } from './subject-finder';

export interface SubjectArchive {
  zip: Buffer;
  sha256: string;
  found: {
    customers: number;
    tickets: number;
    messages: number;
    calls: number;
    chatTranscripts: number;
    csatAnswers: number;
    files: number;
  };
}

const safeName = (name: string) => name.replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 120) || 'file';

/**
 * One zip of everything held about the person: `subject.json` (customer records with their identifiers, tickets
 * with their contact, messages, calls, CSAT answer, and the chat transcripts Redis still holds) and every file under
 * `files/<reference>/`. The JSON names each file's path, so the two read together.
 */
export async function buildSubjectArchive(
  m: EntityManager,
  redis: RedisClient,
  redisPrefix: string,
  found: FoundSubject,
  request: { id: string; createdAt: Date },
): Promise<SubjectArchive> {
  const ids = found.ticketIds;
  const customers = await m.query(
    `SELECT c.id, c.first_name AS "firstName", c.last_name AS "lastName", c.preferred_language AS "preferredLanguage", c.created_at AS "createdAt",
            coalesce(json_agg(json_build_object('kind', ci.kind, 'value', ci.value, 'provenance', ci.provenance, 'since', ci.created_at) ORDER BY ci.created_at)
                     FILTER (WHERE ci.id IS NOT NULL), '[]') AS identifiers
     FROM customers c LEFT JOIN customer_identifiers ci ON ci.customer_id = c.id
     WHERE c.id = ANY($1::uuid[]) GROUP BY c.id ORDER BY c.created_at`,
    [found.customerIds],
  );
  const tickets: Array<Record<string, any>> = await m.query(
    `SELECT t.id, t.reference, t.channel, t.kind, t.status, t.topic, t.subject, t.language, i.code AS institution,
            t.created_at AS "createdAt", t.resolved_at AS "resolvedAt", t.closed_at AS "closedAt",
            t.csat_score, t.csat_comment, t.csat_at, t.csat_channel,
            coalesce((SELECT jsonb_object_agg(d.key, v.value) FROM ticket_custom_field_values v JOIN custom_field_definitions d ON d.id = v.field_id
                      WHERE v.ticket_id = t.id AND d.institution_id = t.institution_id), '{}'::jsonb) AS "customFields"
     FROM tickets t LEFT JOIN institutions i ON i.id = t.institution_id WHERE t.id = ANY($1::uuid[]) ORDER BY t.created_at`,
    [ids],
  );
  const contacts: Array<{ ticket_id: string; kind: string; value: string; provenance: string }> = await m.query(
    `SELECT ticket_id, kind, value, provenance FROM ticket_contacts WHERE ticket_id = ANY($1::uuid[]) ORDER BY created_at`,
    [ids],
  );
  // Internal notes are staff's records about the person, so they are part of what is held about them.
  const messages: Array<Record<string, any>> = await m.query(
    `SELECT id, ticket_id, channel, direction, author_type AS "authorType", internal, subject, text, address,
            created_at AS "createdAt", sent_at AS "sentAt"
     FROM messages WHERE ticket_id = ANY($1::uuid[]) ORDER BY created_at, id`,
    [ids],
  );
  // A quarantined (infected) or not yet scanned file is listed, but its bytes are not put in the archive.
  const files: Array<{
    id: string;
    message_id: string;
    filename: string;
    content_type: string;
    size: number;
    content: Buffer | null;
    scan_status: string;
  }> = await m.query(
    `SELECT a.id, a.message_id, a.filename, a.content_type, a.size, a.scan_status,
            CASE WHEN a.scan_status IN ('clean', 'not_scanned') THEN a.content END AS content
     FROM attachments a JOIN messages ms ON ms.id = a.message_id WHERE ms.ticket_id = ANY($1::uuid[]) ORDER BY a.created_at, a.id`,
    [ids],
  );
  const calls: Array<Record<string, any>> = await m.query(CALLS_OF_TICKETS, [ids]);
  const sessions = await chatSessionsOf(m, ids);

  const referenceOf = new Map(tickets.map((t) => [t.id as string, t.reference as string]));
  const zipFiles: Zippable = {};
  const filesOfMessage = new Map<string, unknown[]>();
  for (const f of files) {
    const ticketId = messages.find((msg) => msg.id === f.message_id)?.ticket_id as string;
    const path = f.content ? `files/${referenceOf.get(ticketId)}/${f.id}-${safeName(f.filename)}` : null;
    if (f.content && path) zipFiles[path] = new Uint8Array(f.content);
    const entry = path
      ? { filename: f.filename, contentType: f.content_type, size: f.size, path }
      : {
          filename: f.filename,
          contentType: f.content_type,
          size: f.size,
          path: null,
          notIncluded: f.scan_status === 'infected' ? 'quarantined' : 'not_scanned_yet',
        };
    filesOfMessage.set(f.message_id, [...(filesOfMessage.get(f.message_id) ?? []), entry]);
  }
  const transcripts = [];
  for (const id of sessions) transcripts.push({ session: id, entries: await chatTranscript(redis, redisPrefix, id) });

  const subject = {
    request: { id: request.id, madeAt: request.createdAt, producedAt: new Date() },
    customers,
    tickets: tickets.map(({ id, csat_score, csat_comment, csat_at, csat_channel, ...t }) => ({
      ...t,
      contact: contacts.filter((c) => c.ticket_id === id).map(({ ticket_id: _, ...c }) => c),
      csat: csat_score === null ? null : { score: csat_score, comment: csat_comment, at: csat_at, channel: csat_channel },
      messages: messages
        .filter((msg) => msg.ticket_id === id)
        .map(({ ticket_id: _, ...msg }) => ({ ...msg, files: filesOfMessage.get(msg.id) ?? [] })),
      calls: calls
        .filter((c) => c.ticket_id === id)
        .map((c) => ({
          callSid: c.call_sid,
          from: c.from_number,
          to: c.to_number,
          language: c.language,
          startedAt: c.started_at,
          answeredAt: c.answered_at,
          endedAt: c.ended_at,
          durationSeconds: c.duration_seconds,
          outcome: c.outcome,
          callbackNumber: c.callback_number,
          recordingSeconds: c.recording_seconds,
          recordingUrl: c.recording_url,
        })),
    })),
    chatTranscripts: transcripts,
  };
  zipFiles['subject.json'] = strToU8(JSON.stringify(subject, null, 2));
  const zip = Buffer.from(zipSync(zipFiles, { level: 6 }));
  return {
    zip,
    sha256: createHash('sha256').update(zip).digest('hex'),
    found: {
      customers: customers.length,
      tickets: tickets.length,
      messages: messages.length,
      calls: calls.length,
      chatTranscripts: transcripts.filter((t) => t.entries.length > 0).length,
      csatAnswers: tickets.filter((t) => t.csat_score !== null).length,
      files: files.length,
    },
  };
}
