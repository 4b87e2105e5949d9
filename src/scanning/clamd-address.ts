/** Where clamd listens: a TCP address or a local socket. */
export type ClamdAddress = { host: string; port: number } | { socket: string };

/**
 * CLAMAV_URL as clamd's own configuration names it: `tcp://host:port` (TCPAddr/TCPSocket) or the path of its
 * LocalSocket, given as `unix:///run/clamav/clamd.ctl` or simply `/run/clamav/clamd.ctl`. Null when it is neither.
 */
export function parseClamdAddress(value: string): ClamdAddress | null {
  if (value.startsWith('/')) return { socket: value };
  if (value.startsWith('unix://')) {
    const path = value.slice('unix://'.length);
    return path.startsWith('/') ? { socket: path } : null;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (
    url.protocol !== 'tcp:' ||
    !url.hostname ||
    url.username ||
    url.password ||
    (url.pathname !== '' && url.pathname !== '/') ||
    url.search ||
    url.hash
  )
    return null;
  // clamd has no default port worth guessing at: 3310 is only Debian's choice.
  const port = Number(url.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return null;
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

export function describeClamdAddress(address: ClamdAddress): string {
  return 'socket' in address ? address.socket : `${address.host}:${address.port}`;
}
