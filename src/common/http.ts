import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The request and reply every controller, guard and filter of this app sees (`@Req() req: HttpRequest`,
 * `@Res() res: HttpReply`): Fastify's, named once here so that code outside src/common does not depend on which
 * server runs underneath. `rawBody` is the exact bytes of a parsed body (src/common/http-body.ts), for the
 * channels that check a signature over them.
 */
export type HttpRequest = FastifyRequest & { rawBody?: Buffer };
export type HttpReply = FastifyReply;

/** The path of a request, without its query string: `/v1/tickets/VP-1`. */
export function pathOf(req: { url: string }): string {
  const cut = req.url.indexOf('?');
  return cut === -1 ? req.url : req.url.slice(0, cut);
}

/** A header's value when it was sent once (a repeated header is not trusted to mean either of its values). */
export function headerOf(req: { headers: Record<string, string | string[] | undefined> }, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return typeof value === 'string' ? value : undefined;
}

interface Range {
  value: string;
  q: number;
  order: number;
}

function ranges(header: string | undefined): Range[] {
  return (header ?? '')
    .split(',')
    .map((part, order) => {
      const [value, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q\s*=\s*([\d.]+)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
      return { value: value.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), order };
    })
    .filter((r) => r.value && !Number.isNaN(r.q));
}

interface Match {
  offer: string;
  q: number;
  specificity: number;
  order: number;
  index: number;
}

/**
 * The offer the client prefers: each offer takes the quality of the most specific range that matches it (so
 * `text/html;q=0` refuses HTML even beside the any-type range), then the highest quality wins, then the more specific match, then
 * the range named first, then the offer listed first. No header at all prefers the first offer.
 */
function negotiate(accepted: Range[], offered: readonly string[], specificity: (offer: string, range: string) => number): string | false {
  if (accepted.length === 0) return offered[0] ?? false;
  let best: Match | undefined;
  offered.forEach((offer, index) => {
    let match: Match | undefined;
    for (const range of accepted) {
      const s = specificity(offer, range.value);
      if (s < 0) continue;
      if (!match || s > match.specificity || (s === match.specificity && range.order < match.order))
        match = { offer, q: range.q, specificity: s, order: range.order, index };
    }
    if (!match || match.q <= 0) return;
    if (
      !best ||
      match.q > best.q ||
      (match.q === best.q && (match.specificity > best.specificity || (match.specificity === best.specificity && match.order < best.order)))
    )
      best = match;
  });
  return best ? best.offer : false;
}

const SHORT_TYPES: Record<string, string> = { json: 'application/json', html: 'text/html', csv: 'text/csv', text: 'text/plain' };

/**
 * Which of the offered media types the Accept header prefers, as Express's `req.accepts` answered: the first
 * offered when the client states no preference, false when it accepts none of them. Offers may be short ("json").
 */
export function accepts(req: { headers: Record<string, string | string[] | undefined> }, offered: string[]): string | false {
  return negotiate(ranges(headerOf(req, 'accept')), offered, (offer, range) => {
    const type = (SHORT_TYPES[offer] ?? offer).toLowerCase();
    return range === type ? 2 : range === `${type.split('/')[0]}/*` ? 1 : range === '*/*' ? 0 : -1;
  });
}

/** Which of the offered languages Accept-Language prefers ("en-GB" matches "en"), or false for none of them. */
export function acceptsLanguages(
  req: { headers: Record<string, string | string[] | undefined> },
  offered: readonly string[],
): string | false {
  return negotiate(ranges(headerOf(req, 'accept-language')), offered, (offer, range) => {
    const language = offer.toLowerCase();
    return range === language ? 2 : range.split('-')[0] === language || language.split('-')[0] === range ? 1 : range === '*' ? 0 : -1;
  });
}

/**
 * `Content-Disposition: attachment` for a file name, as Express's `res.attachment` wrote it: the name as a quoted
 * string (characters outside ISO-8859-1 as `?`), and where it has such characters also as RFC 8187 UTF-8.
 */
export function attachmentDisposition(filename: string): string {
  const name = filename.split(/[\\/]/).pop() ?? '';
  const fallback = name.replace(/[^\x20-\x7e\xa0-\xff]/g, '?');
  const quoted = `"${fallback.replace(/([\\"])/g, '\\$1')}"`;
  if (fallback === name) return `attachment; filename=${quoted}`;
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename=${quoted}; filename*=UTF-8''${encoded}`;
}
