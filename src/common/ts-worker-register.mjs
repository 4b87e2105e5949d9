// Lets a worker thread started from the TypeScript sources (the jest tests; see worker-script.ts) require them:
// each `.ts` file is compiled on its own when it is first required, and `@lib/*` maps to libs/*/src as in
// tsconfig.json. Never loaded from dist/, where the compiled JavaScript runs.
import Module from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  const lib = /^@lib\/([^/]+)(\/.*)?$/.exec(request);
  const mapped = lib ? join(root, 'libs', lib[1], 'src', lib[2] ?? '') : request;
  return resolveFilename.call(this, mapped, ...rest);
};

// esbuild rather than typescript: every thread loads its own compiler, and typescript takes seconds to load.
Module._extensions['.ts'] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, 'utf8'), {
    loader: 'ts',
    format: 'cjs',
    target: 'es2022',
    sourcefile: filename,
    sourcemap: 'inline',
  });
  module._compile(code, filename);
};
