import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Where a worker thread's code is, for `new Worker` or piscina. From dist/ that is the compiled `.js` beside the
 * caller. From the TypeScript sources (the jest tests run them, and Node 20 cannot load `.ts`), the thread is
 * started with a small hook (ts-worker-register.mjs) that compiles each file as it is required, as the tests’ own TypeScript is.
 */
export function workerScript(callerFilename: string, dir: string, name: string): { filename: string; execArgv?: string[] } {
  if (!callerFilename.endsWith('.ts')) return { filename: join(dir, `${name}.js`) };
  return {
    filename: join(dir, `${name}.ts`),
    execArgv: [...process.execArgv, '--import', pathToFileURL(join(__dirname, 'ts-worker-register.mjs')).href],
  };
}
