import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

// `npm pack` (prepack): compiles the sources to dist/ so the installed gate starts without
// tsx's loader (bin/devrev-gate.js uses dist/ only inside node_modules), and puts beside
// them the files they read next to themselves. postpack removes dist/ again.

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
let tsc: string;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  // Installed from a git URL without dev dependencies: the bin runs the sources through tsx.
  process.stdout.write('typescript is not installed: packing the sources only (the bin runs them through tsx)\n');
  process.exit(0);
}
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });

const { include } = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')) as { include: string[] };
const copyAssets = (dir: string): void => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'out') copyAssets(path);
    } else if (!path.endsWith('.ts')) cpSync(path, join(dist, relative(root, path)));
  }
};
for (const dir of include) copyAssets(join(root, dir));
// Read by the sources through ../ paths: the committed pact and the workflow templates.
for (const dir of ['pacts', 'templates']) if (existsSync(join(root, dir))) cpSync(join(root, dir), join(dist, dir), { recursive: true });
process.stdout.write(`compiled to ${relative(process.cwd(), dist) || dist}\n`);
