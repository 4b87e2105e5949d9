import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort } from './private-services';

/** The committed configuration, found upwards from here: this file runs from the sources (jest) and from dist/ (benchmarks). */
function committedConfig(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'deploy', 'haproxy', 'haproxy.cfg');
    if (existsSync(file)) return file;
  }
  throw new Error('deploy/haproxy/haproxy.cfg not found above ' + __dirname);
}
const CONFIG = committedConfig();
const BINARY = existsSync('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : 'haproxy';

/** Debian's HAProxy running the committed deploy/haproxy/haproxy.cfg in the foreground, on free loopback ports. */
export class HaProxy {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly statsPort: number,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  static async start(apiPorts: [number, number]): Promise<HaProxy> {
    const port = await freePort();
    const statsPort = await freePort();
    const env = {
      ...process.env,
      HAPROXY_BIND: `127.0.0.1:${port}`,
      HAPROXY_STATS_BIND: `127.0.0.1:${statsPort}`,
      API_1: `127.0.0.1:${apiPorts[0]}`,
      API_2: `127.0.0.1:${apiPorts[1]}`,
    };
    const child = spawn(BINARY, ['-db', '-f', CONFIG], { env, stdio: 'ignore' });
    const proxy = new HaProxy(child, port, statsPort);
    await proxy.waitUntil((servers) => servers.every((s) => s.status === 'UP'), 'both API processes UP');
    return proxy;
  }

  /** The checked backend servers as HAProxy sees them now (its stats CSV), without the unchecked fail-open backups. */
  async servers(): Promise<Array<{ name: string; status: string }>> {
    const res = await fetch(`http://127.0.0.1:${this.statsPort}/stats;csv`);
    const [header, ...lines] = (await res.text()).trim().split('\n');
    const cols = header.replace(/^# /, '').split(',');
    return lines
      .map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])))
      .filter((r) => r.pxname === 'api_processes' && r.svname !== 'BACKEND' && r.bck === '0')
      .map((r) => ({ name: r.svname, status: r.status }));
  }

  async waitUntil(probe: (servers: Array<{ name: string; status: string }>) => boolean, what: string, timeoutMs = 20000): Promise<void> {
    const until = Date.now() + timeoutMs;
    let last: unknown;
    while (Date.now() < until) {
      try {
        last = await this.servers();
        if (probe(last as Array<{ name: string; status: string }>)) return;
      } catch (error) {
        last = error;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`HAProxy: not ${what} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.kill('SIGTERM');
    });
  }
}
