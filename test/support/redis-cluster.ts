import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, redisCli, waitFor } from './private-services';

const run = promisify(execFile);

/**
 * A Redis Cluster of the machine's own redis-server on loopback: three primaries, and a replica of each when asked
 * (for failover), on free ports (each node's cluster bus on a free port of its own, `cluster-port`), in a temporary
 * directory; never the shared Redis. Starting is bounded: the nodes must answer, the slots be assigned, the
 * replicas be in sync and every node agree the cluster is ok. A primary silent for two seconds is failed over.
 */
export class RedisCluster {
  private readonly children = new Map<number, ChildProcess>();

  private constructor(
    private readonly dir: string,
    readonly ports: number[],
  ) {}

  /** `host:port,...` as REDIS_CLUSTER_NODES takes it (every node; a client learns the roles itself). */
  get nodes(): string {
    return this.ports.map((p) => `127.0.0.1:${p}`).join(',');
  }

  static async start(primaries = 3, replicasEach = 0): Promise<RedisCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'vpppd-cluster-'));
    const ports: number[] = [];
    const cluster = new RedisCluster(dir, ports);
    const total = primaries * (1 + replicasEach);
    try {
      for (let i = 0; i < total; i++) {
        const [port, bus] = [await freePort(), await freePort()];
        ports.push(port);
        const args = [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--cluster-enabled',
          'yes',
          '--cluster-port',
          String(bus),
          '--cluster-config-file',
          join(dir, `nodes-${port}.conf`),
          '--cluster-node-timeout',
          '2000',
          '--save',
          '',
          '--appendonly',
          'no',
          '--dir',
          dir,
          '--dbfilename',
          `dump-${port}.rdb`,
        ];
        cluster.children.set(port, spawn('redis-server', args, { stdio: 'ignore' }));
      }
      for (const port of ports) await waitFor(() => redisCli(port, 'ping') === 'PONG', `Redis cluster node ${port} did not start`);
      await run(
        'redis-cli',
        ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', String(replicasEach), '--cluster-yes'],
        { timeout: 30000 },
      );
      for (const port of ports) {
        await waitFor(
          () =>
            /cluster_state:ok/.test(redisCli(port, 'cluster', 'info')) &&
            /cluster_known_nodes:(\d+)/.exec(redisCli(port, 'cluster', 'info'))?.[1] === String(total),
          `node ${port} did not see a healthy cluster`,
        );
      }
      for (const port of cluster.replicaPorts()) {
        await waitFor(() => /master_link_status:up/.test(redisCli(port, 'info', 'replication')), `replica ${port} did not sync`);
      }
      return cluster;
    } catch (error) {
      await cluster.stop();
      throw error;
    }
  }

  /** The cluster's view of its live nodes: port, role and (for a primary) the slot ranges it serves. */
  private view(): Array<{ port: number; primary: boolean; slots: Array<[number, number]> }> {
    const from = this.ports.find((p) => this.children.has(p) && redisCli(p, 'ping') === 'PONG');
    if (from === undefined) return [];
    return redisCli(from, 'cluster', 'nodes')
      .split('\n')
      .map((line) => line.split(' '))
      .filter((f) => f.length >= 8 && !f[2].includes('fail') && !f[2].includes('noaddr'))
      .map((f) => ({
        port: Number(f[1].split('@')[0].split(':')[1]),
        primary: f[2].split(',').includes('master'),
        slots: f
          .slice(8)
          .filter((r) => /^\d+(-\d+)?$/.test(r))
          .map((r) => (r.includes('-') ? (r.split('-').map(Number) as [number, number]) : [Number(r), Number(r)])),
      }));
  }

  primaryPorts(): number[] {
    return this.view()
      .filter((n) => n.primary)
      .map((n) => n.port);
  }

  replicaPorts(): number[] {
    return this.view()
      .filter((n) => !n.primary)
      .map((n) => n.port);
  }

  /** The primary serving the slot a key hashes to (its hash tag decides). */
  primaryOf(key: string): number {
    const slot = Number(
      redisCli(
        this.ports.find((p) => this.children.has(p))!,
        'cluster',
        'keyslot',
        key,
      ),
    );
    const node = this.view().find((n) => n.primary && n.slots.some(([a, b]) => slot >= a && slot <= b));
    if (!node) throw new Error(`no primary serves slot ${slot}`);
    return node.port;
  }

  /** Keys each primary holds, by port: shows the data really is spread over the shards. */
  keysPerNode(): Record<number, number> {
    return Object.fromEntries(this.primaryPorts().map((p) => [p, Number(redisCli(p, 'dbsize')) || 0]));
  }

  /** Keys matching a pattern, by the port of the primary holding them (SCAN on each primary). */
  keysByNode(pattern: string): Record<number, string[]> {
    return Object.fromEntries(this.primaryPorts().map((p) => [p, redisCli(p, '--scan', '--pattern', pattern).split('\n').filter(Boolean)]));
  }

  /**
   * As a crash of the machine of the primary holding `key`: no goodbye, nothing saved. Resolves once a replica
   * serves its slots and every live node says the cluster is ok again.
   */
  async killPrimaryOf(key: string): Promise<{ killed: number; promoted: number }> {
    const killed = this.primaryOf(key);
    const child = this.children.get(killed);
    this.children.delete(killed);
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    }
    let promoted = 0;
    await waitFor(() => {
      try {
        promoted = this.primaryOf(key);
      } catch {
        return false; // the slot has no live primary yet
      }
      return promoted !== killed && [...this.children.keys()].every((p) => /cluster_state:ok/.test(redisCli(p, 'cluster', 'info')));
    }, `no replica took over from ${killed}`);
    return { killed, promoted };
  }

  async stop(): Promise<void> {
    const all = [...this.children.values()];
    this.children.clear();
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
