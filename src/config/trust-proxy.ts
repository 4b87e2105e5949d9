import proxyaddr from 'proxy-addr';

/** TRUST_PROXY as configured: trust no proxy, the nearest N hops, or the listed addresses, subnets and names. */
export type TrustProxySetting = false | number | string[];

/** The environment's text as a setting; anything it cannot be is left as it is, for trustProxyProblem to name. */
export function parseTrustProxy(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const v = value.trim();
  if (v === '' || v.toLowerCase() === 'false') return false;
  if (/^\d+$/.test(v)) return Number(v);
  if (v.toLowerCase() === 'true') return value;
  return v
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

export function trustProxyProblem(value: unknown): string | null {
  if (value === false) return null;
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 && value <= 10 ? null : 'must be a hop count from 0 to 10';
  // Trusting every hop lets any client write the address it is counted by.
  if (typeof value === 'string' && value.trim().toLowerCase() === 'true')
    return "must not be true (every client could choose its address); give the proxies' addresses or a hop count";
  if (!Array.isArray(value) || value.length === 0)
    return 'must be a hop count or a comma-separated list of addresses, subnets, loopback, linklocal or uniquelocal';
  try {
    proxyaddr.compile(value as string[]);
    return null;
  } catch (error) {
    return `has an entry that is not an address, subnet or known name (${(error as Error).message})`;
  }
}
