/**
 * Builds the citizen's chat widget into widget/dist (git-ignored), which the service serves at /chat/embed.js,
 * /chat/widget.js and /chat/widget.css. Run by the root `npm run build` (and by the widget's browser tests).
 * Fails when a bundle passes its budget (gzip): 60 KB for the launcher, 150 KB for the conversation.
 */
import { build } from 'esbuild';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'dist');
const BUDGET = { 'embed.js': 60 * 1024, 'widget.js': 150 * 1024, 'widget.css': 150 * 1024 };

export async function buildWidget({ quiet = false } = {}) {
  mkdirSync(out, { recursive: true });
  const common = { bundle: true, minify: true, format: 'iife', target: ['es2020'], legalComments: 'none', logLevel: 'warning' };
  await Promise.all([
    build({ ...common, entryPoints: [join(here, 'src', 'embed.ts')], outfile: join(out, 'embed.js') }),
    build({ ...common, entryPoints: [join(here, 'src', 'app', 'main.ts')], outfile: join(out, 'widget.js') }),
    build({ ...common, entryPoints: [join(here, 'src', 'widget.css')], outfile: join(out, 'widget.css'), format: undefined }),
  ]);
  const sizes = {};
  for (const [name, budget] of Object.entries(BUDGET)) {
    const gzip = gzipSync(readFileSync(join(out, name)), { level: 9 }).length;
    sizes[name] = gzip;
    if (gzip > budget) throw new Error(`widget: ${name} is ${gzip} bytes gzipped, over its budget of ${budget}`);
  }
  if (!quiet)
    console.log(
      `widget built: ${Object.entries(sizes)
        .map(([n, b]) => `${n} ${(b / 1024).toFixed(1)} KB gzip`)
        .join(', ')}`,
    );
  return sizes;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  buildWidget().catch((error) => {
    console.error(error.message);
    process.exit(1);
  });
}
