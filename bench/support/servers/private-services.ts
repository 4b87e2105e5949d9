import { ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

/**
 * Private, throw-away PostgreSQL and Redis servers on loopback, for fault tests that stop and start them:
 * the shared servers other test files use are never touched.
 */

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** `redis-cli -p port args…`, its answer trimmed, or '' when the server does not answer. */
export function redisCli(port: number, ...args: string[]): string {
  try {
    return execFileSync('redis-cli', ['-p', String(port), ...args], { stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 })
      .toString()
      .trim();
  } catch {
    return '';
  }
}

/** Polls until `probe` holds; `what` says what failed to happen (`Redis on 6380 did not start`). */
export async function waitFor(probe: () => boolean | Promise<boolean>, what: string, timeoutMs = 30000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} within ${timeoutMs} ms`);
}

export class PrivateRedis {
  private child: ChildProcess | null = null;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort());
    await redis.start();
    return redis;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts empty every time, like a Redis that restarted without persistence. */
  async start(): Promise<void> {
    this.child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await waitFor(() => redisCli(this.port, 'ping') === 'PONG', 'private Redis did not start', 20000);
  }

  /** As a crash: no goodbye to clients, nothing saved. */
  async kill(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }
}

function postgresBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) if (existsSync(join(root, v, 'bin', name))) return join(root, v, 'bin', name);
  return name; // on PATH elsewhere
}

/** PostgreSQL refuses to run as root, so the cluster runs as the `postgres` user when we are root. */
function asPostgres(command: string, args: string[]): void {
  const root = process.getuid?.() === 0;
  execFileSync(root ? 'runuser' : command, root ? ['-u', 'postgres', '--', command, ...args] : args, { stdio: 'ignore', timeout: 60000 });
}

function asPostgresAsync(command: string, args: string[]): Promise<void> {
  const root = process.getuid?.() === 0;
  return new Promise((resolve, reject) =>
    execFile(root ? 'runuser' : command, root ? ['-u', 'postgres', '--', command, ...args] : args, { timeout: 60000 }, (error) =>
      error ? reject(new Error(`${command} ${args.at(-1)}: ${error.message}`)) : resolve(),
    ),
  );
}

export class PrivatePostgres {
  private settings = '';

  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** `settings`: more `-c name=value` options for the server, kept across restarts. */
  static async start(settings = ''): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'vpppd-pg-'));
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
    const pg = new PrivatePostgres(await freePort(), dir);
    asPostgres(postgresBin('initdb'), ['-D', join(dir, 'data'), '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8']);
    await pg.start(settings);
    return pg;
  }

  /**
   * A hot standby of this cluster, streaming from it (pg_basebackup -R writes the primary's address and
   * standby.signal), on its own port and directory; started.
   */
  async startReplica(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'vpppd-pg-replica-'));
    if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
    const replica = new PrivatePostgres(await freePort(), dir);
    asPostgres(postgresBin('pg_basebackup'), [
      '-h',
      '127.0.0.1',
      '-p',
      String(this.port),
      '-U',
      'postgres',
      '-D',
      join(dir, 'data'),
      '-R',
      '-X',
      'stream',
      '--no-sync',
    ]);
    // A standby cancels a query whose rows replay must remove; feedback makes the primary keep them instead.
    await replica.start('-c hot_standby_feedback=on -c wal_retrieve_retry_interval=500ms');
    return replica;
  }

  /** The postmaster's process id (first line of postmaster.pid), or null when the server is not running. */
  postmasterPid(): number | null {
    try {
      return Number(readFileSync(join(this.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]) || null;
    } catch {
      return null;
    }
  }

  /** A client on this server: for a test that pauses a replica's replay or reads a server directly. */
  async sql<T = Record<string, any>>(text: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async start(settings = ''): Promise<void> {
    if (settings) this.settings = settings;
    asPostgres(postgresBin('pg_ctl'), this.startArgs());
  }

  /**
   * A restart by an operator (fast shutdown, `pauseMs` down, start) without blocking this process meanwhile: a
   * benchmark's clients keep running through it.
   */
  async restart(pauseMs: number): Promise<void> {
    const data = join(this.dir, 'data');
    await asPostgresAsync(postgresBin('pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
    await new Promise((r) => setTimeout(r, pauseMs));
    await asPostgresAsync(postgresBin('pg_ctl'), this.startArgs());
  }

  private startArgs(): string[] {
    return [
      '-D',
      join(this.dir, 'data'),
      '-l',
      join(this.dir, 'log'),
      '-w',
      '-t',
      '30',
      '-o',
      `-p ${this.port} -c listen_addresses=127.0.0.1 -c fsync=off -c unix_socket_directories=${this.dir} ${this.settings}`,
      'start',
    ];
  }

  /** Fast shutdown: open connections are cut, as in a restart by an operator. */
  async stop(): Promise<void> {
    asPostgres(postgresBin('pg_ctl'), ['-D', join(this.dir, 'data'), '-m', 'fast', '-w', 'stop']);
  }

  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
