import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadDocument } from '../api-model/openapi/document.ts';
import { checkPactAgainst, diffSpecs, openSide } from '../docs-drift/index.ts';

/**
 * `npm run bench:spec [-- OLD NEW]`: how long `spec diff` takes on two whole published
 * documents (about 1.6 MB of YAML each), against the time to only parse the same two
 * documents in the same run (target: the whole diff under 3 s). The pact-vs-document
 * check is timed on its own. Without arguments it uses the two latest published beta
 * documents when they are beside the project.
 */
const TARGET_S = 3;
const ROUNDS = 3;

const reference = (p: string) => fileURLToPath(new URL(`../../shared/reference/${p}`, import.meta.url));
const [older, newer] = process.argv.length >= 4
  ? [process.argv[2]!, process.argv[3]!]
  : [reference('openapi-history/openapi-beta-2025-01-28-5f08057.yaml'), reference('openapi-beta.yaml')];
if (!existsSync(older) || !existsSync(newer)) {
  console.error(`bench:spec needs two documents: npm run bench:spec -- OLD.yaml NEW.yaml (${existsSync(older) ? newer : older} not found)`);
  process.exit(2);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = (f: () => unknown) => {
  const t = performance.now();
  f();
  return performance.now() - t;
};

const parse: number[] = [];
const whole: number[] = [];
const compare: number[] = [];
let changes = 0;
for (let i = 0; i < ROUNDS; i++) {
  parse.push(time(() => [loadDocument(older), loadDocument(newer)]));
  whole.push(
    time(() => {
      const a = openSide(older);
      const b = openSide(newer);
      const t = performance.now();
      changes = diffSpecs(a, b).length;
      compare.push(performance.now() - t);
    }),
  );
}
const side = openSide(newer);
const t = performance.now();
const pact = await checkPactAgainst(side, { pillar: 'spec' });
const pactMs = performance.now() - t;

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const p = median(parse);
const w = median(whole);
console.log(`documents: ${older} → ${newer} (${changes} changes)`);
console.log(`parse only (both)       ${s(p)}   median of ${ROUNDS}`);
console.log(`spec diff (open + diff) ${s(w)}   ${(w / p).toFixed(2)}× parse; the comparison itself ${s(median(compare))}`);
console.log(`pact vs document        ${s(pactMs)}   ${(pactMs / p).toFixed(2)}× parse (first call loads the comparator); ${pact.findings.length} mismatch(es)`);
console.log(`target: diff under ${TARGET_S} s: ${w / 1000 < TARGET_S ? 'met' : 'MISSED'}`);
