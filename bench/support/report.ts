/** The benchmarks' printed report: numbers, tables and the lines that say where and how a run ran. */
import os from 'node:os';
import type { ServiceProcess } from './service';

export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : 'n/a';

/** A text table: the first row is the header, underlined; the first column left-aligned, the others right-aligned. */
export function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map(
      (r, i) =>
        r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('   ') +
        (i === 0 ? `\n${widths.map((w) => '-'.repeat(w)).join('   ')}` : ''),
    )
    .join('\n');
}

export function machineLine(pgVersion: string): string {
  return `machine   ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim() ?? '?'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, PostgreSQL ${pgVersion}`;
}

/** Where --node-args output (profiles) went, and which process wrote which; null without --node-args. */
export function nodeArgsLine(nodeArgs: string[], cwd: string, services: ServiceProcess[]): string | null {
  if (nodeArgs.length === 0) return null;
  return `node      ${nodeArgs.join(' ')} in ${cwd} (pids: ${services.map((s) => `${s.label} ${s.child.pid}`).join(', ')})`;
}
