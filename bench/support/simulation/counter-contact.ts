import type { Question } from './texts';

/**
 * A contact served at a counter (a VPVKAC desk), as the member of staff logs it with POST /v1/contacts: what the
 * citizen asked, in their language, under their name.
 */
export function counterContact(q: Question, language: string, text: string, customer: { firstName: string; lastName: string }): object {
  return {
    channel: 'counter',
    institution: q.institution,
    kind: q.kind,
    topic: q.topic,
    language,
    subject: q.subject,
    text,
    customer,
  };
}
