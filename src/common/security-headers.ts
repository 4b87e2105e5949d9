import helmet from 'helmet';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpReply, HttpRequest, pathOf } from './http';

/**
 * Paths that serve pages with a policy of their own instead of the API's: the OpenAPI browser (helmet's default
 * policy, which lets its own scripts and styles run) and the staff console, which sets its own
 * Content-Security-Policy and caching.
 */
const DOCS_PREFIX = '/docs';
const OWN_POLICY_PREFIXES = ['/console'];
/** The citizens' chat widget: its launcher and files are loaded by the institutions' own sites. */
const EMBEDDED_PREFIX = '/chat';

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

/**
 * The response headers every answer carries, set with helmet: HSTS, nosniff, no X-Powered-By, frame and
 * referrer rules, cross-origin isolation. The API's own answers (JSON with personal data, problem details, the
 * survey page) also get `Cache-Control: no-store` and a Content-Security-Policy that lets nothing load.
 *
 * Both are set before the route runs, so a route that serves something else overrides them by setting its own
 * (the chat widget and ticket attachments do). CSP is not in the global helmet() call for that reason: it is
 * chosen per path here, and a path listed in OWN_POLICY_PREFIXES gets none from us.
 */
type Middleware = (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;

export function securityHeaders(): (req: HttpRequest, reply: HttpReply, done: () => void) => void {
  const common = helmet({ contentSecurityPolicy: false });
  // The chat widget lives inside other sites' pages: no same-origin isolation (opener policy, agent cluster), no
  // X-Frame-Options (its page's own CSP frame-ancestors names the sites that may frame it), and its launcher and
  // files readable from any site. With those, the widget in a portal's frame did not take a click.
  const embedded = helmet({
    contentSecurityPolicy: false,
    crossOriginOpenerPolicy: false,
    originAgentCluster: false,
    xFrameOptions: false,
    crossOriginResourcePolicy: { policy: 'cross-origin' },
  });
  const docsPolicy = helmet.contentSecurityPolicy() as Middleware;
  const apiPolicy = helmet.contentSecurityPolicy({
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      // The survey page's buttons carry an inline style and post back to this origin.
      styleSrc: ["'unsafe-inline'"],
      formAction: ["'self'"],
      baseUri: ["'none'"],
      frameAncestors: ["'none'"],
    },
  }) as Middleware;
  // Helmet's headers go onto the reply, not the socket's response: a route that serves something else then
  // replaces or removes one (reply.header, reply.removeHeader) as the reply is built. No directive here depends on
  // the request, so what helmet does for each kind of path is recorded on its first request and replayed after:
  // running its middleware on every request cost a few per cent of a small webhook's CPU.
  type HeaderOps = Array<[name: string, value: string | null]>;
  const record = (req: HttpRequest, middlewares: Middleware[], cacheControl: boolean): HeaderOps => {
    const ops: HeaderOps = [];
    const res = {
      setHeader: (name: string, value: string) => ops.push([name, String(value)]),
      removeHeader: (name: string) => ops.push([name, null]),
      getHeader: (name: string) => [...ops].reverse().find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1] ?? undefined,
    } as unknown as ServerResponse;
    middlewares.forEach((middleware, i) => {
      // Answers about citizens must not be kept by a browser or a shared proxy; set between the two, as it always was.
      if (cacheControl && i === 1) ops.push(['Cache-Control', 'no-store']);
      // Helmet's middleware is synchronous and only ever calls next() without an error.
      middleware(req.raw, res, () => undefined);
    });
    return ops;
  };
  const recorded = new Map<string, HeaderOps>();
  const opsFor = (kind: string, req: HttpRequest, middlewares: Middleware[], cacheControl = false): HeaderOps => {
    let ops = recorded.get(kind);
    if (!ops) recorded.set(kind, (ops = record(req, middlewares, cacheControl)));
    return ops;
  };
  return (req, reply, done) => {
    const path = pathOf(req);
    let ops: HeaderOps;
    if (under(path, EMBEDDED_PREFIX)) ops = opsFor('embedded', req, [embedded]);
    else if (under(path, DOCS_PREFIX)) ops = opsFor('docs', req, [common, docsPolicy]);
    // The console sets its own CSP and caching.
    else if (OWN_POLICY_PREFIXES.some((prefix) => under(path, prefix))) ops = opsFor('own', req, [common]);
    else ops = opsFor('api', req, [common, apiPolicy], true);
    for (const [name, value] of ops) {
      if (value === null) reply.removeHeader(name);
      else reply.header(name, value);
    }
    done();
  };
}
