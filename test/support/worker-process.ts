import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from './private-services';
import type { TestEnv } from './test-env';

const ROOT = join(__dirname, '..', '..');

/**
 * The service in a process of its own (src/main.ts, as `npm start` runs it), for a fault test that kills it with
 * SIGKILL: an in-process NestJS context can only be closed, which lets it finish what it holds.
 */
export class ServiceProcess {
  private readonly output: string[] = [];
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    const keep = (chunk: Buffer) => {
      this.output.push(chunk.toString('utf8'));
      if (this.output.length > 200) this.output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  }

  /** Starts it with `env`'s settings and waits until its /health answers 200 (PostgreSQL and Redis reached). */
  static async start(env: TestEnv, overrides: Record<string, string> = {}, timeoutMs = 240_000): Promise<ServiceProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, [join(ROOT, 'test', 'support', 'ts-child.mjs'), 'src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env.variables({ APP_ROLE: 'worker', ...overrides }), PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new ServiceProcess(child, port);
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (service.gone) throw new Error(`the service process exited while starting:\n${service.log}`);
      const status = await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) return service;
      await new Promise((r) => setTimeout(r, 250));
    }
    await service.kill();
    throw new Error(`the service process was not healthy within ${timeoutMs} ms:\n${service.log}`);
  }

  get gone(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** Its last output, for a failure message. */
  get log(): string {
    return this.output.join('').slice(-8000);
  }

  /** As a crash or the OOM killer: no shutdown hooks, jobs in hand abandoned, connections dropped. */
  async kill(): Promise<void> {
    if (!this.gone) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** As a supervisor stopping it: SIGTERM, and the service finishes what it holds. */
  async stop(): Promise<void> {
    if (!this.gone) this.child.kill('SIGTERM');
    await this.exited;
  }
}
