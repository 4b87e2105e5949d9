import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { parseReference } from '@lib/ticket-reference';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { FieldError } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { normalizeSubjectIdentifier } from '../privacy/subject-identifiers';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import { CaseProof, caseStatusFor, CaseStatusRow } from '../tickets/case-status';
import { caseLinkUrl, verifyCaseLink } from './case-link';
import { CASE_COPY, caseLanguage, CaseLanguage, publicStatus, PublicStatus } from './case-status-copy';

/** What the citizen is told: status, level, institution, the legal answer date, the last update. No personal data. */
export interface CaseStatusView {
  reference: string;
  language: CaseLanguage;
  status: PublicStatus;
  statusText: string;
  level: number;
  levelText: string;
  institution: { code: string; name: string } | null;
  /** The case was forwarded to `institution`, which only takes referrals through the centre. */
  referred: boolean;
  receivedAt: string;
  /** The day (Riga) by which the answer is due, as the Submissions Law and the SLA policy count it; null when none runs. */
  answerDueDate: string | null;
  lastUpdate: { at: string; what: CaseStatusRow['lastUpdate']; text: string };
  mergedInto: string | null;
}

export interface CaseLookup {
  reference?: string;
  token?: string;
  contact?: string;
  lang?: string;
}

/** The outcome of a lookup; the controllers answer each in their own form (JSON or the page). */
export type CaseLookupResult =
  | { kind: 'found'; view: CaseStatusView }
  | { kind: 'invalid'; errors: FieldError[]; language: CaseLanguage }
  | { kind: 'not-found'; language: CaseLanguage }
  | { kind: 'expired'; language: CaseLanguage }
  | { kind: 'too-many'; retryAfterSeconds: number; language: CaseLanguage };

const RIGA_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Riga' });

/**
 * "Where does my case stand" for citizens. Proof of being the person is the signed link from the acknowledgement,
 * or the reference together with the e-mail or phone the contact came from. A missing case and a wrong pair give
 * the same answer, and guesses at one reference are limited across all sources (besides the per-source limit of
 * every request), so the page can be used neither to learn whether a reference exists nor to find whose it is.
 */
@Injectable()
export class CaseStatusService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly limits: RateLimitService,
    private readonly metrics: MetricsService,
  ) {}

  /** The link an acknowledgement carries. */
  link(reference: string): string {
    return caseLinkUrl(this.config.PUBLIC_BASE_URL, this.config.JWT_SECRET, reference, this.config.CASE_LINK_TTL_DAYS);
  }

  async lookup(input: CaseLookup): Promise<CaseLookupResult> {
    const result = await this.find(input);
    this.metrics.caseStatusLookups.inc({ proof: input.token ? 'link' : 'contact', outcome: result.kind });
    return result;
  }

  private async find(input: CaseLookup): Promise<CaseLookupResult> {
    let language = caseLanguage(input.lang);
    const errors: FieldError[] = [];
    let proof: CaseProof | null = null;
    const parsed = input.reference ? parseReference(input.reference) : null;
    const reference = parsed ? `${parsed.prefix}-${parsed.year}-${String(parsed.sequence).padStart(6, '0')}` : null;
    if (input.token) {
      const check = verifyCaseLink(this.config.JWT_SECRET, input.token);
      if (!check.ok) return check.reason === 'expired' ? { kind: 'expired', language } : { kind: 'not-found', language };
      // A link answers for its own case only, whatever reference the address names.
      if (input.reference && reference !== check.reference) return { kind: 'not-found', language };
      proof = { kind: 'link', reference: check.reference };
    } else {
      if (!reference) errors.push({ field: 'reference', code: 'reference', message: 'reference must be like VP-2026-000123' });
      const contact = contactOf(input.contact);
      if (!input.contact?.trim())
        errors.push({
          field: 'contact',
          code: 'required',
          message: 'contact (the e-mail or phone the case came from) or token is required',
        });
      else if (!contact) errors.push({ field: 'contact', code: 'contact', message: 'contact must be an e-mail address or a phone number' });
      if (errors.length > 0 || !contact || !reference) return { kind: 'invalid', errors, language };
      // Counted per reference before the answer is known, so that a refusal says nothing about the case.
      const refusal = await this.limits.takeCaseGuess(createHash('sha256').update(reference).digest('base64url').slice(0, 22));
      if (refusal) return { kind: 'too-many', retryAfterSeconds: refusal.retryAfterSeconds, language };
      proof = { kind: 'contact', reference, contact };
    }
    const row = await caseStatusFor(this.dataSource, proof);
    if (!row) return { kind: 'not-found', language };
    if (!input.lang) language = caseLanguage(row.language);
    return { kind: 'found', view: this.view(row, language) };
  }

  private view(row: CaseStatusRow, language: CaseLanguage): CaseStatusView {
    const copy = CASE_COPY[language];
    const status = publicStatus(row.status);
    return {
      reference: row.reference,
      language,
      status,
      statusText: copy.status[status],
      level: row.level,
      levelText: copy.level[row.level] ?? String(row.level),
      institution: row.institutionCode
        ? { code: row.institutionCode, name: (language === 'en' ? row.institutionNameEn : row.institutionNameLv) ?? row.institutionCode }
        : null,
      referred: row.referred,
      receivedAt: row.receivedAt.toISOString(),
      answerDueDate: row.answerDueAt && status !== 'resolved' && status !== 'closed' ? RIGA_DAY.format(row.answerDueAt) : null,
      lastUpdate: { at: row.lastUpdateAt.toISOString(), what: row.lastUpdate, text: copy.update[row.lastUpdate] },
      mergedInto: row.mergedInto,
    };
  }
}

/** An e-mail address or a phone number, in the form ticket_contacts stores it. */
function contactOf(raw: string | undefined): { kind: 'email' | 'phone'; value: string } | null {
  if (!raw?.trim() || raw.length > 320) return null;
  const kind = raw.includes('@') ? 'email' : 'phone';
  const value = normalizeSubjectIdentifier(kind, raw);
  return value ? { kind, value } : null;
}
