import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

let built = false;

/** Builds the chat widget (widget/dist) as `npm run build` does, once per test file: the service serves it. */
export function buildWidget(): void {
  if (built) return;
  execFileSync(process.execPath, [join(__dirname, '..', '..', 'widget', 'build.mjs')], { stdio: 'pipe' });
  built = true;
}
