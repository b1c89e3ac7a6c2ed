import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderSummarySchema } from './summary.ts';

/**
 * Regenerates reports/summary.schema.json from the TypeBox definitions
 * (`npm run schema:summary`); `--check` exits 1 when the committed file is stale.
 */
const file = join(import.meta.dirname, 'summary.schema.json');
const fresh = renderSummarySchema();

if (process.argv.includes('--check')) {
  let committed = '';
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    // a missing file is stale too
  }
  if (committed !== fresh) {
    process.stderr.write(`${file} is out of date: run npm run schema:summary\n`);
    process.exit(1);
  }
  process.stdout.write(`${file} is up to date\n`);
} else {
  writeFileSync(file, fresh);
  process.stdout.write(`wrote ${file}\n`);
}
