/**
 * "Resolved at level 0", the one definition the live board, the volumes report and the funding report share: the
 * ticket was resolved (resolved_at is set, whether it is still resolved or closed since) while at level 0, and no
 * person was ever asked to take it (no escalation to a level above 0: a hand-over from the assistant, a reply to
 * level 0's written answer, routing to a queue). A chat closed with the assistant without a helpful answer was not
 * resolved (closed, resolved_at unset), so it does not count; a written answer the citizen replied to within the
 * reopen window does not either (the reply handed it to level 1).
 *
 * `t` is the alias of `tickets` in the query it is used in.
 */
export const resolvedAtLevel0Sql = (t = 't') =>
  `(${t}.resolved_at IS NOT NULL AND ${t}.level = 0 AND NOT EXISTS (SELECT 1 FROM escalations l0e WHERE l0e.ticket_id = ${t}.id AND l0e.to_level > 0))`;
