import { tooManyPage } from '../case-status/case-page';
import { caseLanguage } from '../case-status/case-status-copy';
import { sourceKey } from '../common/client-address';
import { accepts, acceptsLanguages, HttpReply, HttpRequest, pathOf } from '../common/http';
import { MetricsService } from '../metrics/metrics.service';
import { RateLimitService, Refusal, SourcePolicy } from './rate-limit.service';

/** Routes match case-insensitively and with an optional trailing slash (http-setup.ts), so these do too. */
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
export function sendTooManyRequests(
  res: HttpReply,
  instance: string,
  refusal: Refusal,
  detail = 'Too many requests from this address; try again later.',
): void {
  res
    .status(429)
    .header('Retry-After', String(refusal.retryAfterSeconds))
    .type('application/problem+json')
    .send(
      JSON.stringify({
        type: 'urn:vpppd:problem:rate-limited',
        title: 'Too many requests',
        status: 429,
        detail,
        retryAfterSeconds: refusal.retryAfterSeconds,
        instance,
      }),
    );
}

/**
 * An onRequest hook, so before the body is read: a source over its budget is refused before its body is read, its
 * signature checked or its password hashed. `req.ip` is the client behind trusted proxies (TRUST_PROXY).
 */
export function perSourceLimits(limits: RateLimitService, metrics: MetricsService) {
  return async (req: HttpRequest, res: HttpReply): Promise<void> => {
    const path = pathOf(req);
    const policy = policyFor(req.method, path);
    if (!policy) return;
    const refusal = await limits.take(policy, sourceKey(req.ip ?? 'unknown'));
    if (!refusal) return;
    const channel = /^\/v1\/channels\/([a-z]+)\//i.exec(path)?.[1]?.toLowerCase();
    if (channel) metrics.inboundEvents.inc({ channel, outcome: 'rejected', reason: 'rate-limited' });
    if (policy === 'cases') metrics.caseStatusLookups.inc({ proof: 'any', outcome: 'rate-limited' });
    if (CASE_PAGE.test(path) && accepts(req, ['json', 'html']) === 'html') {
      const asked =
        typeof (req.query as Record<string, unknown>).lang === 'string' ? ((req.query as Record<string, unknown>).lang as string) : '';
      const language = caseLanguage(asked || acceptsLanguages(req, ['lv', 'ru', 'en']) || 'lv');
      await res
        .status(429)
        .header('Retry-After', String(refusal.retryAfterSeconds))
        .type('text/html; charset=utf-8')
        .send(tooManyPage(language));
      return;
    }
    // The query of a case lookup carries the e-mail or phone: the problem's instance names the path only.
    sendTooManyRequests(res, policy === 'cases' ? path : req.originalUrl, refusal);
    await res;
  };
}
