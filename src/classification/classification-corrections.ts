import type { EntityManager } from 'typeorm';

/**
 * Keeps an operator's judgement of a ticket (institution, topic or kind) as a labelled example for the next
 * training: the only writer of classification_corrections. Called in the transaction of the change itself, so a
 * rolled-back change leaves no example. A later correction of the same ticket updates what it changed and keeps
 * the rest.
 */
export async function recordCorrection(
  m: EntityManager,
  c: { ticketId: string; agentId: string; institutionId?: string | null; topic?: string | null; kind?: string | null },
): Promise<void> {
  await m.query(
    `INSERT INTO classification_corrections AS c (ticket_id, institution_id, topic, kind, agent_id, updated_at)
     VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (ticket_id) DO UPDATE SET institution_id = coalesce(EXCLUDED.institution_id, c.institution_id),
       topic = coalesce(EXCLUDED.topic, c.topic), kind = coalesce(EXCLUDED.kind, c.kind), agent_id = EXCLUDED.agent_id, updated_at = now()`,
    [c.ticketId, c.institutionId ?? null, c.topic ?? null, c.kind ?? null, c.agentId],
  );
}
