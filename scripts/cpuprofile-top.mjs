#!/usr/bin/env node
/**
 * Where a V8 .cpuprofile (node --cpu-prof) spent its time: self time summed by function and by file (packages
 * folded to their name), printed as the top N of each. Idle and GC are shown as their own lines, and the
 * percentages are of the busy (non-idle) samples, so that profiles of runs with different loads compare.
 *
 * A benchmark's profile starts with the process, so module loading and start-up would dominate it: --timeline prints
 * the busy milliseconds of each second, and --from S / --to S keep only the samples of that window (seconds
 * since the profile began), e.g. one measured phase.
 *
 *   node scripts/cpuprofile-top.mjs CPU.*.cpuprofile [--top 30] [--timeline] [--from S] [--to S]
 */
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
function option(name, fallback) {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args.splice(at, 2)[1]) : fallback;
}
const top = option('--top', 30);
const fromS = option('--from', 0);
const toS = option('--to', Infinity);
const timelineAt = args.indexOf('--timeline');
const timeline = timelineAt >= 0 && args.splice(timelineAt, 1).length > 0;
if (args.length === 0 || !Number.isInteger(top) || top < 1 || Number.isNaN(fromS) || Number.isNaN(toS)) {
  process.stderr.write('usage: node scripts/cpuprofile-top.mjs FILE.cpuprofile... [--top N] [--timeline] [--from S] [--to S]\n');
  process.exit(2);
}
// A reader such as `head` may close the pipe early; that is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

/** node_modules/<pkg> (or @scope/pkg) stands for the whole package; otherwise the path from the project's dist/ or src/. */
function fileOf(url) {
  if (!url) return '(native)';
  const path = url.replace(/^file:\/\//, '');
  const mod = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (mod) return `pkg:${mod[1]}`;
  if (path.startsWith('node:')) return path;
  const own = /(?:^|\/)(?:dist\/)?((?:src|libs|bench)\/.*)$/.exec(path);
  return own ? own[1] : path;
}

for (const file of args) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const samples = new Map();
  for (const id of profile.samples) samples.set(id, (samples.get(id) ?? 0) + 1);
  // Sample intervals differ; the time of a sample is the delta that follows it.
  const us = new Map();
  const perSecond = [];
  let at = 0;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i];
    const t = profile.timeDeltas[i + 1] ?? 0;
    const second = Math.floor(at / 1e6);
    if (byId.get(id).callFrame.functionName !== '(idle)') perSecond[second] = (perSecond[second] ?? 0) + t;
    if (at < fromS * 1e6 || at >= toS * 1e6) return;
    us.set(id, (us.get(id) ?? 0) + t);
  });
  const byFunction = new Map();
  const byFile = new Map();
  let busy = 0;
  let idle = 0;
  for (const [id, t] of us) {
    const { callFrame } = byId.get(id);
    const name = callFrame.functionName || '(anonymous)';
    if (name === '(idle)') {
      idle += t;
      continue;
    }
    busy += t;
    const where = fileOf(callFrame.url);
    const key = `${name}  ${where}${callFrame.url ? `:${callFrame.lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + t);
    byFile.set(where, (byFile.get(where) ?? 0) + t);
  }
  const print = (title, map) => {
    process.stdout.write(`\n${title}\n`);
    for (const [key, t] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top))
      process.stdout.write(`${(t / 1000).toFixed(0).padStart(8)} ms ${((100 * t) / busy).toFixed(1).padStart(5)}%  ${key}\n`);
  };
  process.stdout.write(`${file}\nbusy ${(busy / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms\n`);
  if (timeline) {
    process.stdout.write('\nbusy ms by second since the start\n');
    for (let s = 0; s < perSecond.length; s++)
      process.stdout.write(`${String(s).padStart(5)} ${String(Math.round((perSecond[s] ?? 0) / 1000)).padStart(6)}\n`);
  }
  print('self time by file (package)', byFile);
  print('self time by function', byFunction);
}
