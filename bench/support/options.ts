/**
 * Command-line options of the benchmarks: node's parseArgs, every option also as BENCH_<NAME> in the
 * environment, and the flags that tune the service processes, which every benchmark has.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './lifecycle';

const COMMON_FLAGS = {
  set: { type: 'string', multiple: true },
  'node-args': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const COMMON_HELP: Array<[flag: string, text: string]> = [
  ['--set KEY=VALUE', 'service environment override, repeatable (e.g. INBOUND_BATCH_SIZE=500)'],
  // With "=": parseArgs refuses a separate value that starts with "-" as ambiguous.
  ['--node-args=ARGS', 'node flags of the service processes, e.g. --node-args=--cpu-prof; they then run in a kept temp dir'],
];

type Flags = NonNullable<ParseArgsConfig['options']>;
type Values<F extends Flags> = ReturnType<typeof parseArgs<{ options: F & typeof COMMON_FLAGS }>>['values'];

export interface ParsedFlags<F extends Flags> {
  values: Values<F>;
  /** An integer option: the flag, else BENCH_<ENV>, else the fallback; anything outside min..max is a UsageError. */
  int: (flag: string | undefined, env: string, fallback: number, min: number, max: number) => number;
  /** From --set KEY=VALUE: overrides of the service processes' environment. */
  serviceEnv: Record<string, string>;
  /** From --node-args or BENCH_NODE_ARGS: node flags of the service processes. */
  nodeArgs: string[];
}

/**
 * Parses the command line with the benchmark's own `flags` plus --set, --node-args and --help; --help prints
 * `usage` and the help lines (the benchmark's, then the common ones) and exits.
 */
export function parseFlags<F extends Flags>(usage: string, flags: F, help: Array<[flag: string, text: string]>): ParsedFlags<F> {
  let values: Values<F>;
  try {
    ({ values } = parseArgs({ options: { ...flags, ...COMMON_FLAGS } }) as { values: Values<F> });
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (see --help)`);
  }
  const common = values as { set?: string[]; 'node-args'?: string; help?: boolean };
  if (common.help) {
    const lines = [...help, ...COMMON_HELP];
    const width = Math.max(...lines.map(([flag]) => flag.length)) + 2;
    process.stdout.write(
      [
        `usage: ${usage} -- [options]   (each also as BENCH_<NAME> in the environment)`,
        ...lines.map(([flag, text]) => `  ${flag.padEnd(width)}${text}`),
        '',
      ].join('\n'),
    );
    process.exit(0);
  }
  const int = (flag: string | undefined, env: string, fallback: number, min: number, max: number): number => {
    const raw = flag ?? process.env[`BENCH_${env}`];
    const n = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`--${env.toLowerCase().replace(/_/g, '-')} must be an integer in ${min}..${max}`);
    return n;
  };
  const serviceEnv: Record<string, string> = {};
  for (const pair of common.set ?? []) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new UsageError(`--set expects KEY=VALUE, got ${pair}`);
    serviceEnv[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const nodeArgs = (common['node-args'] ?? process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  return { values, int, serviceEnv, nodeArgs };
}
