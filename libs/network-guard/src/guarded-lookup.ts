import { lookup as dnsLookup, LookupAddress, LookupAllOptions, LookupOptions } from 'node:dns';
import { isIP } from 'node:net';
import { AddressPolicy } from './address-policy';

/** A request refused because of where it would go: a setting (or the target) has to change, not the timing. */
export class TargetRefused extends Error {
  readonly code = 'ETARGETREFUSED';

  constructor(
    readonly host: string,
    readonly address: string,
  ) {
    super(
      host === address ? `the address ${address} is internal and not allowed` : `${host} resolves to ${address}, internal and not allowed`,
    );
    this.name = 'TargetRefused';
  }
}

type AllLookup = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;
type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** The host of a URL as a socket would use it: IPv6 literals lose their brackets. */
export function urlHost(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/**
 * A `lookup` for http.request and net.connect that refuses a name when any of its addresses is internal. The check
 * is on the very addresses the socket then connects to, so a name that resolved to a public address when the
 * subscription was made and to an internal one now (DNS rebinding) is refused at delivery.
 */
export function guardedLookup(policy: AddressPolicy, resolve: AllLookup = dnsLookup) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const refused = addresses.find((a) => !policy.permits(a.address));
      if (refused) return callback(new TargetRefused(hostname, refused.address), '');
      if (addresses.length === 0) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '');
      if (options.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

/**
 * Why a URL may not be reached, checked before it is stored: a literal internal address, or a name any of whose
 * addresses is internal (or that does not resolve). Null when it may.
 */
export async function targetProblem(
  url: URL,
  policy: AddressPolicy,
  resolve: AllLookup = dnsLookup,
): Promise<{ code: 'internal' | 'unresolvable'; message: string } | null> {
  const host = urlHost(url);
  if (isIP(host)) return policy.permits(host) ? null : { code: 'internal', message: new TargetRefused(host, host).message };
  return new Promise((done) =>
    guardedLookup(policy, resolve)(host, { all: true }, (error) => {
      if (!error) return done(null);
      if (error instanceof TargetRefused) return done({ code: 'internal', message: error.message });
      done({ code: 'unresolvable', message: `${host} does not resolve` });
    }),
  );
}
