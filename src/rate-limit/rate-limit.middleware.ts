import type { NextFunction, Request, Response } from 'express';
import { tooManyPage } from '../case-status/case-page';
import { caseLanguage } from '../case-status/case-status-copy';
import { sourceKey } from '../common/client-address';
import { MetricsService } from '../metrics/metrics.service';
import { RateLimitService, Refusal, SourcePolicy } from './rate-limit.service';

/** Express matches routes case-insensitively and with an optional trailing slash, so these do too. */
const LIMITED: Array<{ methods: string[]; path: RegExp; policy: SourcePolicy }> = [
  { methods: ['POST'], path: /^\/v1\/auth\/login\/?$/i, policy: 'login' },
  { methods: ['POST'], path: /^\/v1\/channels\/webform(\/|$)/i, policy: 'webform' },
  { methods: ['GET', 'POST'], path: /^\/v1\/channels\/(social|voice\/twilio)(\/|$)/i, policy: 'webhooks' },
  { methods: ['GET', 'POST'], path: /^\/v1\/csat(\/|$)/i, policy: 'csat' },
  { methods: ['GET', 'POST'], path: /^\/(v1\/public\/cases|case)(\/|$)/i, policy: 'cases' },
];

/** The citizens' case page is read in a browser: over the limit it says so on the page, in the asked language. */
const CASE_PAGE = /^\/case\/?$/i;

/** Which budget a request counts against, if any. */
export function policyFor(method: string, path: string): SourcePolicy | null {
  return LIMITED.find((l) => l.methods.includes(method) && l.path.test(path))?.policy ?? null;
}

/** 429 as problem+json, with Retry-After, as every refusal of this API. */
export function sendTooManyRequests(res: Response, instance: string, refusal: Refusal, detail = 'Too many requests from this address; try again later.'): void {
  res
    .status(429)
    .setHeader('Retry-After', String(refusal.retryAfterSeconds))
    .type('application/problem+json')
    .send(JSON.stringify({ type: 'urn:vpppd:problem:rate-limited', title: 'Too many requests', status: 429, detail, retryAfterSeconds: refusal.retryAfterSeconds, instance }));
}

/**
 * Mounted before the body parsers: a source over its budget is refused before its body is read, its signature
 * checked or its password hashed. `req.ip` is the client behind trusted proxies (TRUST_PROXY).
 */
export function perSourceLimits(limits: RateLimitService, metrics: MetricsService) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const policy = policyFor(req.method, req.path);
    if (!policy) return next();
    limits.take(policy, sourceKey(req.ip ?? 'unknown')).then(
      (refusal) => {
        if (!refusal) return next();
        const channel = /^\/v1\/channels\/([a-z]+)\//i.exec(req.path)?.[1]?.toLowerCase();
        if (channel) metrics.inboundEvents.inc({ channel, outcome: 'rejected', reason: 'rate-limited' });
        if (policy === 'cases') metrics.caseStatusLookups.inc({ proof: 'any', outcome: 'rate-limited' });
        if (CASE_PAGE.test(req.path) && req.accepts(['json', 'html']) === 'html') {
          const asked = typeof req.query.lang === 'string' ? req.query.lang : '';
          const language = caseLanguage(asked || req.acceptsLanguages('lv', 'ru', 'en') || 'lv');
          res.status(429).setHeader('Retry-After', String(refusal.retryAfterSeconds)).type('html').send(tooManyPage(language));
          return;
        }
        // The query of a case lookup carries the e-mail or phone: the problem's instance names the path only.
        sendTooManyRequests(res, policy === 'cases' ? req.path : req.originalUrl, refusal);
      },
      next,
    );
  };
}
