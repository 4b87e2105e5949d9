import { randomUUID } from 'node:crypto';

/** A valid legacy personal code: 12 Dec 1982, check digit computed by the real rule. */
export const VALID_PERSONAL_CODE = '121282-11210';

let n = 0;
export function webformSubmission(overrides: Record<string, unknown> = {}) {
  n += 1;
  return {
    submissionId: `LV-${randomUUID()}`,
    submittedAt: new Date().toISOString(),
    form: 'question',
    institution: 'VSAA',
    topic: 'pensijas',
    language: 'lv',
    applicant: {
      firstName: 'Jānis',
      lastName: 'Bērziņš',
      personalCode: VALID_PERSONAL_CODE,
      email: `janis.${n}@example.lv`,
      phone: '+37120000000',
    },
    subject: 'Par vecuma pensiju',
    message: 'Labdien! Kā pieteikties vecuma pensijai, un kādi dokumenti ir vajadzīgi?',
    ...overrides,
  };
}

/** The smallest file each type check accepts. */
export const PDF_BYTES = Buffer.from('%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');
export const PNG_BYTES = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
