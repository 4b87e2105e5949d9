export interface HostPort {
  host: string;
  port: number;
}

/**
 * `host:port[,host:port...]` as operators write sentinel and cluster node lists; an IPv6 address goes in brackets
 * (`[::1]:26379`). Null when any entry is malformed, so a typo stops the process at start, not at the first failover.
 */
export function parseHostPorts(value: string): HostPort[] | null {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  if (entries.length === 0) return null;
  const out: HostPort[] = [];
  for (const entry of entries) {
    const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(entry);
    if (!m) return null;
    const port = Number(m[3]);
    if (port < 1 || port > 65535) return null;
    out.push({ host: m[1] ?? m[2], port });
  }
  return out;
}
