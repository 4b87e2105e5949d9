// Runs a TypeScript entry point of the service (argv[2]) in a plain Node process, for fault tests that need a
// real separate process they can kill. Each file is transpiled on require with the project's tsconfig (the
// service's files are isolated modules, so no type information is needed), and `@lib/*` resolves as in tsconfig.
// TypeScript, not esbuild as src/common/ts-worker-register.mjs uses for the e-mail parse threads: Nest's injection
// needs the decorator metadata that only TypeScript emits.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import tsconfigPaths from 'tsconfig-paths';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const parsed = ts.parseJsonConfigFileContent(ts.readConfigFile(join(root, 'tsconfig.json'), ts.sys.readFile).config, ts.sys, root);
const compilerOptions = { ...parsed.options, sourceMap: false, inlineSourceMap: true };

const load = createRequire(join(root, 'package.json'));
load.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
tsconfigPaths.register({ baseUrl: root, paths: parsed.options.paths ?? {} });

load(resolve(root, process.argv[2]));
