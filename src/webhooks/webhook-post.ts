import { AddressPolicy, guardedLookup, TargetRefused, urlHost } from '@lib/network-guard';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';

/**
 * POSTs a delivery and answers the receiver's status code. Node's http client, not fetch: it never follows a
 * redirect (a 3xx is the receiver's answer, so a redirect cannot lead a delivery inside), and its `lookup` hook lets
 * the address policy judge the very address the socket connects to (no gap between a check and the connection).
 * Throws TargetRefused when the target is internal; any other error is the network's.
 */
export function postWebhook(
  target: string,
  headers: Record<string, string>,
  body: string,
  options: { policy: AddressPolicy; timeoutMs: number },
): Promise<number> {
  const url = new URL(target);
  const host = urlHost(url);
  // A literal address never goes through lookup.
  if (isIP(host) && !options.policy.permits(host)) return Promise.reject(new TargetRefused(host, host));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        lookup: guardedLookup(options.policy),
        signal: AbortSignal.timeout(options.timeoutMs),
      },
      (res) => {
        // The answer's body is not wanted: drained so the connection can be reused, never kept.
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
