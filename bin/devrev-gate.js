#!/usr/bin/env node
// Installed as a package, the gate runs the JavaScript `npm pack` compiled into dist/ (it
// starts in a third of the time); in a clone it runs the TypeScript sources through tsx, so
// a fresh clone needs no build step and never runs a stale build.
import { existsSync } from 'node:fs';

// A reader that stops early (`devrev-gate --help | head`) closes the pipe: that ends the
// output, it is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const compiled = new URL('../dist/cli/main.js', import.meta.url);
let main;
if (import.meta.url.includes('/node_modules/') && existsSync(compiled)) {
  ({ main } = await import(compiled.href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../cli/main.ts'));
}
process.exitCode = await main(process.argv);
