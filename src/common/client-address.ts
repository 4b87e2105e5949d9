import type { IncomingMessage } from 'node:http';
import { isIPv4, isIPv6 } from 'node:net';
import proxyaddr from 'proxy-addr';
import type { TrustProxySetting } from '../config/trust-proxy';

export type TrustFn = (address: string, hop: number) => boolean;

/** Express's own "trust proxy" semantics, as one function that HTTP and the sockets both use. */
export function compileTrustProxy(setting: TrustProxySetting): TrustFn {
  if (setting === false) return () => false;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  return proxyaddr.compile(setting);
}

/**
 * The client's address: the connection's, or behind trusted proxies the nearest X-Forwarded-For entry they did not
 * add themselves. An untrusted peer's X-Forwarded-For is ignored, so no client chooses its own address.
 */
export function clientAddress(req: IncomingMessage, trust: TrustFn): string {
  return proxyaddr(req, trust) ?? req.socket?.remoteAddress ?? 'unknown';
}

/**
 * What a per-source limit counts by. An IPv4 address is one source; an IPv6 client is given a whole /64 (one
 * customer line), so counting single IPv6 addresses would let one attacker rotate through billions of them.
 */
export function sourceKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return mapped;
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address;
  const [head, tail = ''] = address.split('%')[0].toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::a.b.c.d) lies past the first 64 bits, so it never changes the prefix.
  const groups = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}
