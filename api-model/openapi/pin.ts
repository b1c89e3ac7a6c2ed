import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { GateError } from '../../core/errors.ts';
import { loadDocument } from './document.ts';
import { extractSlice, SLICE_KEY, type SliceInfo } from './extract.ts';
import { SLICE_FILE, sliceText } from './slice.ts';
import { SLICE_PATHS } from './slice-paths.ts';

/**
 * `npm run spec:pin -- FILE [--commit C] [--date YYYY-MM-DD] [--check]`: extracts the slice
 * of a DevRev OpenAPI document that the suite depends on and writes it to the committed
 * slice file. With `--check` it writes nothing and exits 1 when the committed slice differs
 * from what FILE gives (CI uses this to prove the pin is what its script produces).
 */
const main = (argv: string[]): number => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { commit: { type: 'string' }, date: { type: 'string' }, check: { type: 'boolean' }, out: { type: 'string' } },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) {
    console.error('usage: npm run spec:pin -- FILE [--commit C] [--date YYYY-MM-DD] [--check]');
    return 2;
  }
  if (values.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.date)) {
    console.error(`--date ${JSON.stringify(values.date)}: expected YYYY-MM-DD`);
    return 2;
  }
  const out = values.out ?? SLICE_FILE;
  const loaded = loadDocument(file);
  const previousText = existsSync(out) ? readFileSync(out, 'utf8') : null;
  const previous = previousText ? ((JSON.parse(previousText) as Record<string, unknown>)[SLICE_KEY] as SliceInfo | undefined) : undefined;
  // The same bytes keep the provenance recorded for them; a new document needs it given.
  const same = previous?.source.sha256 === loaded.sha256;
  const source = {
    file: basename(file),
    sha256: loaded.sha256,
    commit: values.commit ?? (same ? previous.source.commit : null),
    date: values.date ?? (same ? previous.source.date : null),
  };
  const text = sliceText(extractSlice(loaded.doc, SLICE_PATHS, source));
  if (values.check) {
    if (text === previousText) {
      console.log(`${relative(process.cwd(), out)}: up to date with ${file}`);
      return 0;
    }
    console.error(`${relative(process.cwd(), out)}: differs from the slice of ${file}; run npm run spec:pin -- ${file}`);
    return 1;
  }
  if (text === previousText) {
    console.log(`${relative(process.cwd(), out)}: unchanged`);
    return 0;
  }
  // Written whole or not at all.
  writeFileSync(`${out}.tmp`, text);
  renameSync(`${out}.tmp`, out);
  console.log(`${relative(process.cwd(), out)}: written from ${file} (sha256 ${loaded.sha256.slice(0, 12)}, commit ${source.commit ?? 'unknown'}, ${text.length} bytes)`);
  return 0;
};

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  if (e instanceof GateError) {
    console.error(e.oneLine());
    process.exitCode = 2;
  } else throw e;
}
