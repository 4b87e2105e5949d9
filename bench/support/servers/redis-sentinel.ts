import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, redisCli, waitFor } from './private-services';

export const SENTINEL_MASTER_NAME = 'vp-test';

/**
 * A highly available Redis of Debian's own engines on loopback: a primary, a replica and three sentinels (quorum
 * two), in a temporary directory, on free ports, never the shared Redis. Sentinels decide quickly (a primary
 * silent for one second is down) so a failover fits in a test.
 */
export class SentinelRedis {
  private readonly servers = new Map<number, ChildProcess>();
  private readonly sentinelChildren: ChildProcess[] = [];

  private constructor(
    private readonly dir: string,
    readonly dataPorts: [number, number],
    readonly sentinelPorts: number[],
  ) {}

  /** `host:port,...` as REDIS_SENTINELS takes it. */
  get sentinels(): string {
    return this.sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',');
  }

  static async start(): Promise<SentinelRedis> {
    const dir = mkdtempSync(join(tmpdir(), 'vpppd-sentinel-'));
    const ports = [await freePort(), await freePort()] as [number, number];
    const sentinelPorts = [await freePort(), await freePort(), await freePort()];
    const set = new SentinelRedis(dir, ports, sentinelPorts);
    await set.startServer(ports[0]);
    await set.startServer(ports[1], ports[0]);
    await waitFor(() => /master_link_status:up/.test(redisCli(ports[1], 'info', 'replication')), 'the replica did not sync');
    for (const [i, port] of sentinelPorts.entries()) {
      const conf = join(dir, `sentinel-${i}.conf`);
      // Sentinel rewrites its file as it learns, so each gets its own, writable.
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${ports[0]} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} 1000`,
          `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 5000`,
          `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
          '',
        ].join('\n'),
      );
      set.sentinelChildren.push(spawn('redis-sentinel', [conf], { stdio: 'ignore' }));
    }
    // A failover needs every sentinel to know the replica and the other sentinels (learnt over a few seconds).
    for (const port of sentinelPorts) {
      await waitFor(
        () =>
          redisCli(port, 'sentinel', 'replicas', SENTINEL_MASTER_NAME).includes(String(ports[1])) &&
          redisCli(port, 'sentinel', 'sentinels', SENTINEL_MASTER_NAME)
            .split('\n')
            .filter((l) => l === 'runid').length === 2,
        `sentinel ${port} did not learn the replica and the other sentinels`,
      );
    }
    return set;
  }

  /** Process ids of the data servers (by port) and of the sentinels: a benchmark's CPU and memory accounting. */
  pids(): { servers: Map<number, number | undefined>; sentinels: Array<number | undefined> } {
    return {
      servers: new Map([...this.servers].map(([port, child]) => [port, child.pid])),
      sentinels: this.sentinelChildren.map((c) => c.pid),
    };
  }

  /** The port of the primary, as the sentinels name it now. */
  primaryPort(): number {
    return Number(redisCli(this.sentinelPorts[0], 'sentinel', 'get-master-addr-by-name', SENTINEL_MASTER_NAME).split('\n')[1]);
  }

  /** As a crash of the primary's machine: no goodbye, nothing saved. Resolves once a replica is promoted. */
  async killPrimary(): Promise<{ killed: number; promoted: number }> {
    const killed = this.primaryPort();
    const child = this.servers.get(killed);
    this.servers.delete(killed);
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      });
    }
    await waitFor(
      () =>
        this.sentinelPorts.every(
          (p) => redisCli(p, 'sentinel', 'get-master-addr-by-name', SENTINEL_MASTER_NAME).split('\n')[1] !== String(killed),
        ),
      'no replica was promoted',
    );
    const promoted = this.primaryPort();
    await waitFor(
      () => /role:master/.test(redisCli(promoted, 'info', 'replication')),
      'the promoted replica did not take the primary role',
    );
    return { killed, promoted };
  }

  /** Brings a killed server back, as a replica of the current primary (what an operator's restart leads to). */
  async restartAsReplica(port: number): Promise<void> {
    const primary = this.primaryPort();
    await this.startServer(port, primary);
    await waitFor(() => /master_link_status:up/.test(redisCli(port, 'info', 'replication')), `${port} did not sync with ${primary}`);
    await waitFor(
      () => this.sentinelPorts.every((p) => redisCli(p, 'sentinel', 'replicas', SENTINEL_MASTER_NAME).includes(String(port))),
      'the sentinels did not see the replica',
    );
    // Sentinels mark a server they saw die as down for a while; a failover needs a replica they consider healthy.
    await waitFor(
      () => this.sentinelPorts.every((p) => !/s_down|o_down|disconnected/.test(redisCli(p, 'sentinel', 'replicas', SENTINEL_MASTER_NAME))),
      'the sentinels still consider the replica down',
    );
  }

  async stop(): Promise<void> {
    const all = [...this.servers.values(), ...this.sentinelChildren];
    this.servers.clear();
    this.sentinelChildren.length = 0;
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

  private async startServer(port: number, replicaOf?: number): Promise<void> {
    const args = [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
      '--dbfilename',
      `dump-${port}.rdb`,
    ];
    if (replicaOf) args.push('--replicaof', '127.0.0.1', String(replicaOf));
    this.servers.set(port, spawn('redis-server', args, { stdio: 'ignore' }));
    await waitFor(() => redisCli(port, 'ping') === 'PONG', `Redis on ${port} did not start`);
  }
}
