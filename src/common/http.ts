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
    .filter((r) => r.value && r.q > 0 && !Number.isNaN(r.q));
}

const SHORT_TYPES: Record<string, string> = { json: 'application/json', html: 'text/html', csv: 'text/csv', text: 'text/plain' };

/**
 * Which of the offered media types the Accept header prefers, as Express's `req.accepts` answered: the first
 * offered when the client states no preference, false when it accepts none of them. Offers may be short ("json").
 */
export function accepts(req: { headers: Record<string, string | string[] | undefined> }, offered: string[]): string | false {
  const accepted = ranges(headerOf(req, 'accept'));
  if (accepted.length === 0) return offered[0] ?? false;
  let best: { offer: string; q: number; specificity: number; order: number; index: number } | undefined;
  offered.forEach((offer, index) => {
    const type = (SHORT_TYPES[offer] ?? offer).toLowerCase();
    const [major] = type.split('/');
    for (const range of accepted) {
      const specificity = range.value === type ? 2 : range.value === `${major}/*` ? 1 : range.value === '*/*' ? 0 : -1;
      if (specificity < 0) continue;
      const candidate = { offer, q: range.q, specificity, order: range.order, index };
      if (!best || better(candidate, best)) best = candidate;
    }
  });
  return best ? best.offer : false;
}

function better(a: { q: number; specificity: number; order: number; index: number }, b: typeof a): boolean {
  if (a.q !== b.q) return a.q > b.q;
  if (a.specificity !== b.specificity) return a.specificity > b.specificity;
  if (a.order !== b.order) return a.order < b.order;
  return a.index < b.index;
}

/** Which of the offered languages Accept-Language prefers ("en-GB" matches "en"), or false for none of them. */
export function acceptsLanguages(req: { headers: Record<string, string | string[] | undefined> }, offered: readonly string[]): string | false {
  const accepted = ranges(headerOf(req, 'accept-language'));
  if (accepted.length === 0) return offered[0] ?? false;
  let best: { offer: string; q: number; specificity: number; order: number; index: number } | undefined;
  offered.forEach((offer, index) => {
    const language = offer.toLowerCase();
    for (const range of accepted) {
      const specificity = range.value === language ? 2 : range.value.split('-')[0] === language || language.split('-')[0] === range.value ? 1 : range.value === '*' ? 0 : -1;
      if (specificity < 0) continue;
      const candidate = { offer, q: range.q, specificity, order: range.order, index };
      if (!best || better(candidate, best)) best = candidate;
    }
  });
  return best ? best.offer : false;
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
