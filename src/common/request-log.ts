/** The request as pino-http hands it to a serializer (pino's standard request object). */
interface LoggedRequest {
  id: unknown;
  method: string;
  url: string;
  remoteAddress?: string;
  /** The request itself; behind trusted proxies its `ip` is the client's, where remoteAddress is the proxy's. */
  raw?: { ip?: string };
  headers: Record<string, string | string[] | undefined>;
}

/**
 * What a request line says, by allowlist. A list of headers to hide missed the channels' own secrets (Telegram's
 * secret token, the signatures of Twilio, Meta and the web form), and copying every header in order to redact a
 * few cost more than the rest of the line.
 */
export const requestLogSerializers = {
  req: (req: LoggedRequest) => ({
    id: req.id,
    method: req.method,
    url: req.url,
    remoteAddress: req.raw?.ip ?? req.remoteAddress,
    userAgent: req.headers['user-agent'],
  }),
  res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
};
