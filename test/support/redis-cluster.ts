import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './private-services';

const run = promisify(execFile);

function cli(port: number, ...args: string[]): string {
  try {
    return execFileSync('redis-cli', ['-p', String(port), ...args], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).toString().trim();
  } catch {
    return '';
  }
}

async function waitFor(probe: () => boolean, what: string, timeoutMs = 30000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (probe()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} within ${timeoutMs} ms`);
}

/**
 * A Redis Cluster of three primaries (no replicas) of the machine's own redis-server on loopback, on free ports
 * (each node's cluster bus on a free port of its own, `cluster-port`), in a temporary directory; never the shared
 * Redis. Starting is bounded: the nodes must answer, the slots be assigned and every node agree the cluster is ok.
 */
export class RedisCluster {
  private constructor(
    private readonly dir: string,
    readonly ports: number[],
    private readonly children: ChildProcess[],
  ) {}

  /** `host:port,...` as REDIS_CLUSTER_NODES takes it. */
  get nodes(): string {
    return this.ports.map((p) => `127.0.0.1:${p}`).join(',');
  }

  static async start(primaries = 3): Promise<RedisCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'vpppd-cluster-'));
    const ports: number[] = [];
    const children: ChildProcess[] = [];
    const cluster = new RedisCluster(dir, ports, children);
    try {
      for (let i = 0; i < primaries; i++) {
        const [port, bus] = [await freePort(), await freePort()];
        ports.push(port);
        const args = [
          '--port', String(port),
          '--bind', '127.0.0.1',
          '--cluster-enabled', 'yes',
          '--cluster-port', String(bus),
          '--cluster-config-file', join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout', '2000',
          '--save', '',
          '--appendonly', 'no',
          '--dir', dir,
          '--dbfilename', `dump-${port}.rdb`,
        ];
        children.push(spawn('redis-server', args, { stdio: 'ignore' }));
      }
      for (const port of ports) await waitFor(() => cli(port, 'ping') === 'PONG', `Redis cluster node ${port} did not start`);
      await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30000 });
      for (const port of ports) {
        await waitFor(
          () => /cluster_state:ok/.test(cli(port, 'cluster', 'info')) && /cluster_known_nodes:(\d+)/.exec(cli(port, 'cluster', 'info'))?.[1] === String(primaries),
          `node ${port} did not see a healthy cluster`,
        );
      }
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** Keys each primary holds, by port: shows the data really is spread over the shards. */
  keysPerNode(): Record<number, number> {
    return Object.fromEntries(this.ports.map((p) => [p, Number(cli(p, 'dbsize')) || 0]));
  }

  /** Keys matching a pattern, by the port of the primary holding them (SCAN on each node). */
  keysByNode(pattern: string): Record<number, string[]> {
    return Object.fromEntries(this.ports.map((p) => [p, cli(p, '--scan', '--pattern', pattern).split('\n').filter(Boolean)]));
  }

  async stop(): Promise<void> {
    const all = this.children.splice(0);
    await Promise.all(
      all.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}
