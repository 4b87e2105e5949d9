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
  // replaces or removes one (reply.header, reply.removeHeader) as the reply is built.
  const run = (middleware: Middleware, req: HttpRequest, reply: HttpReply) => {
    const res = {
      setHeader: (name: string, value: string) => reply.header(name, value),
      removeHeader: (name: string) => reply.removeHeader(name),
      getHeader: (name: string) => reply.getHeader(name),
    } as unknown as ServerResponse;
    // Helmet's middleware is synchronous and only ever calls next() without an error.
    middleware(req.raw, res, () => undefined);
  };
  return (req, reply, done) => {
    const path = pathOf(req);
    run(under(path, EMBEDDED_PREFIX) ? embedded : common, req, reply);
    if (under(path, DOCS_PREFIX)) run(docsPolicy, req, reply);
    else if (OWN_POLICY_PREFIXES.some((prefix) => under(path, prefix)) || under(path, EMBEDDED_PREFIX)) {
      // The console and the widget's routes set their own CSP and caching.
    } else {
      // Answers about citizens must not be kept by a browser or a shared proxy.
      reply.header('Cache-Control', 'no-store');
      run(apiPolicy, req, reply);
    }
    done();
  };
}
