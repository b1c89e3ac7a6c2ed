import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadVersion } from '../api-model/openapi/version.ts';
import { startSimulator } from '../simulator/index.ts';

/**
 * `npm run bench:serve [-- FILE]`: how long the simulator takes to start on a whole
 * published document (`--openapi FILE`; default DevRev's beta document beside the project,
 * about 1.6 MB of YAML) until it has answered its first create, against starting on the pin
 * in the same run. Twice: in this process (read, derive the version, listen, answer), and as
 * a user sees it, `devrev-gate serve` from spawn to its "listening on" line. Target: under 3 s
 * (Prism takes 100–150 s on the same document). Rounds alternate pin and document.
 */
const TARGET_S = 3;
const ROUNDS = 3;

const file = process.argv[2] ?? fileURLToPath(new URL('../../shared/reference/openapi-beta.yaml', import.meta.url));
if (!existsSync(file)) {
  console.error(`bench:serve needs a document: npm run bench:serve -- FILE.yaml (${file} not found)`);
  process.exit(2);
}
const BIN = fileURLToPath(new URL('../bin/devrev-gate.js', import.meta.url));

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s = (ms: number) => `${(ms / 1000).toFixed(3)} s`;

/** Start, answer one valid create, stop: the time to the answer. */
const inProcess = async (document: string | null): Promise<number> => {
  const t = performance.now();
  const version = document ? loadVersion(document) : null;
  const sim = await startSimulator({ rateLimit: false, ...(version ? { version } : {}) });
  const r = await fetch(`${sim.url}/rev-users.create`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'bench' }, body: '{}' });
  await r.arrayBuffer();
  const elapsed = performance.now() - t;
  await sim.close();
  if (r.status !== 201) throw new Error(`first create answered ${r.status}`);
  return elapsed;
};

/** `devrev-gate serve` as a user runs it: spawn to its first stdout line. */
const cli = async (document: string | null): Promise<number> => {
  const t = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve', '--port', '0', ...(document ? ['--openapi', document] : [])], { stdio: ['ignore', 'pipe', 'ignore'] });
  const [chunk] = await once(child.stdout!, 'data');
  const elapsed = performance.now() - t;
  child.kill('SIGTERM');
  await once(child, 'exit');
  if (!String(chunk).startsWith('listening on ')) throw new Error(`serve printed ${String(chunk)}`);
  return elapsed;
};

const rows: Array<[string, (d: string | null) => Promise<number>]> = [
  ['in process, to the first 201', inProcess],
  ['devrev-gate serve, to "listening on"', cli],
];
console.log(`bench:serve ${file}`);
for (const [label, run] of rows) {
  const pin: number[] = [];
  const doc: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    pin.push(await run(null));
    doc.push(await run(file));
  }
  const extra = median(doc) - median(pin);
  console.log(
    `${label}: pin ${pin.map(s).join(', ')} (median ${s(median(pin))}); document ${doc.map(s).join(', ')} (median ${s(median(doc))}); ` +
      `the document costs ${s(extra)} more, ${(median(doc) / median(pin)).toFixed(1)}× the pin; target under ${TARGET_S} s: ${median(doc) < TARGET_S * 1000 ? 'met' : 'MISSED'}`,
  );
}
