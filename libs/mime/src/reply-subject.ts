/**
 * Reply and forward prefixes as mail clients in Latvia write them: English and German Outlook (RE, FW, AW,
 * WG), Latvian Outlook (Atb., Pārs.), Russian clients (Отв., Ответ, Пересл.), Nordic ones (SV, VS), and
 * the counters some add ("Re[2]:", "RE (3):").
 */
const PREFIX = /^(?:re|fwd?|aw|wg|sv|vs|atb|pārs|отв|ответ|пересл)\s*(?:\[\d+\]|\(\d+\))?\s*\.?\s*:\s*/iu;

/**
 * "RE: Atb.: Re: Pabalsts" + "VP-2026-000123" → "Re: Pabalsts [VP-2026-000123]".
 *
 * The reference is what threads a citizen's answer back to the ticket when their client drops In-Reply-To,
 * so it always ends the subject exactly once: a copy already in the subject (bracketed or not, anywhere,
 * any case) is taken out and put back at the end rather than added a second time.
 */
export function buildReplySubject(subject: string | null, reference: string): string {
  const ref = reference.trim();
  // Subjects come from the sender: a line break would become a header injection in our reply.
  let rest = (subject ?? '').replace(/\s+/g, ' ').trim();

  if (ref !== '') {
    const escaped = ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    rest = rest.replace(new RegExp(`\\[\\s*${escaped}\\s*\\]|\\b${escaped}\\b`, 'giu'), ' ');
  }
  rest = stripPrefixes(rest.replace(/\s+/g, ' ').trim());

  const parts = ['Re:', rest, ref === '' ? '' : `[${ref}]`].filter((part) => part !== '');
  return parts.join(' ');
}

/** Removes every leading reply/forward prefix, however many clients have stacked up. */
function stripPrefixes(subject: string): string {
  let result = subject;
  for (;;) {
    const next = result.replace(PREFIX, '').trim();
    if (next === result) return result;
    result = next;
  }
}
