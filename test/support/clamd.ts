import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './private-services';

const SCRIPT = resolve(__dirname, '../../scripts/clamd.sh');

/** The EICAR anti-virus test file: harmless, and what every scanner (and our test clamd's only signature) flags. */
export const EICAR = Buffer.from('X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*', 'latin1');

function run(args: string[], timeoutMs = 60_000): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    execFile('bash', [SCRIPT, ...args], { timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (!error) return resolvePromise();
      reject(new Error(`bash scripts/clamd.sh ${args.join(' ')} failed (${error.code ?? error.signal}):\n${stdout}${stderr}`.trim()));
    });
  });
}

/**
 * A real clamd of this test file's own, on a free loopback port, with a signature directory holding only the
 * EICAR signature (scripts/clamd.sh writes it). Stopped and started at will, without disturbing other files.
 */
export class TestClamd {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  /**
   * A free port can be taken by another process between being found and clamd binding it (test files run side by
   * side), so a start that fails is tried once more on another port, with the first failure kept for the report.
   */
  static async start(): Promise<TestClamd> {
    const dir = await mkdtemp(join(tmpdir(), 'vpppd-clamd-'));
    const first = new TestClamd(dir, await freePort());
    try {
      await first.resume();
      return first;
    } catch (error) {
      const second = new TestClamd(dir, await freePort());
      await second.resume().catch((again: Error) => {
        throw new Error(`${(error as Error).message}\nand on a second port:\n${again.message}`);
      });
      return second;
    }
  }

  get url(): string {
    return `tcp://127.0.0.1:${this.port}`;
  }

  resume(): Promise<void> {
    return run(['start', this.dir, String(this.port)]);
  }

  stop(): Promise<void> {
    return run(['stop', this.dir]);
  }

  async teardown(): Promise<void> {
    await this.stop();
    await rm(this.dir, { recursive: true, force: true });
  }
}
