import type express from 'express';
import helmet from 'helmet';

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
export function securityHeaders(): express.RequestHandler[] {
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
  const docsPolicy = helmet.contentSecurityPolicy();
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
  });
  const byPath: express.RequestHandler = (req, res, next) => {
    if (under(req.path, DOCS_PREFIX)) return docsPolicy(req, res, next);
    if (OWN_POLICY_PREFIXES.some((prefix) => under(req.path, prefix))) return next();
    // The widget's routes set their own CSP and caching.
    if (under(req.path, EMBEDDED_PREFIX)) return next();
    // Answers about citizens must not be kept by a browser or a shared proxy.
    res.setHeader('Cache-Control', 'no-store');
    apiPolicy(req, res, next);
  };
  const headers: express.RequestHandler = (req, res, next) => (under(req.path, EMBEDDED_PREFIX) ? embedded(req, res, next) : common(req, res, next));
  return [headers, byPath];
}
