import { BlockList, isIP } from 'node:net';

/**
 * Networks a server-side request must not reach on an outsider's say-so: "this host" and unspecified, private
 * (RFC 1918, unique local), shared (carrier-grade NAT), loopback, link-local (cloud metadata lives at
 * 169.254.169.254), benchmarking, multicast and reserved. IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) are
 * matched against the IPv4 rules by BlockList itself; NAT64 and the old IPv4-compatible form are refused whole.
 */
const INTERNAL_V4: Array<[string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const INTERNAL_V6: Array<[string, number]> = [
  ['::', 96], // unspecified, loopback and IPv4-compatible
  ['64:ff9b::', 96], // NAT64: reaches IPv4 addresses through the gateway
  ['64:ff9b:1::', 48],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still routed by some)
  ['ff00::', 8], // multicast
];

const internal = new BlockList();
for (const [network, prefix] of INTERNAL_V4) internal.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of INTERNAL_V6) internal.addSubnet(network, prefix, 'ipv6');

/** `10.1.0.0/16`, `192.0.2.7` or `fd00::/8` as [address, prefix length, family], or null when it is none of these. */
export function parseNetwork(text: string): [string, number, 'ipv4' | 'ipv6'] | null {
  const [address, prefix, ...rest] = text.trim().split('/');
  const version = isIP(address ?? '');
  if (rest.length > 0 || version === 0) return null;
  const max = version === 4 ? 32 : 128;
  const bits = prefix === undefined ? max : /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  if (!(bits >= 0 && bits <= max)) return null;
  return [address, bits, version === 4 ? 'ipv4' : 'ipv6'];
}

/**
 * Which addresses outbound requests may reach: every public one, and internal ones only inside the networks an
 * operator allowed (an institution's system on the state's internal network, a test's local receiver).
 */
export class AddressPolicy {
  private readonly allowed = new BlockList();

  constructor(allowedNetworks: readonly string[] = []) {
    for (const text of allowedNetworks) {
      const network = parseNetwork(text);
      if (!network) throw new Error(`not a network: ${text}`);
      this.allowed.addSubnet(...network);
    }
  }

  /** Whether the address (a literal, as the socket would connect to it) may be reached. */
  permits(address: string): boolean {
    const version = isIP(address);
    if (version === 0) return false;
    const family = version === 4 ? 'ipv4' : 'ipv6';
    return !internal.check(address, family) || this.allowed.check(address, family);
  }
}
