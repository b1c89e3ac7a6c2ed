import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError } from '../../core/errors.ts';
import { type LoadedDocument, loadDocument } from './document.ts';
import { extractSlice, SLICE_KEY, type SliceInfo, type SliceSource } from './extract.ts';
import { pinTarget, sliceText } from './slice.ts';
import { SLICE_PATHS } from './slice-paths.ts';

/**
 * Pinning: extract the slice of a DevRev OpenAPI document that the suite depends on and
 * write it to the pin in force (the user's `devrev-gate/openapi-slice.json` after `init`). `devrev-gate spec pin FILE` (and `npm run
 * spec:pin -- FILE`) shows the classified difference from the current pin first, then
 * calls `writePin`; with `--check` nothing is written and a difference exits 1 (CI uses
 * this to prove the pin is what its script produces).
 */
export interface PinOptions {
  file: string;
  commit?: string;
  date?: string;
  /** Where the slice goes (default: the user's pin after `init`, else the package's). */
  out?: string;
}

export interface PinPlan {
  loaded: LoadedDocument;
  out: string;
  source: SliceSource;
  text: string;
  previousText: string | null;
  /** True when the slice file already holds exactly this text. */
  unchanged: boolean;
}

export const planPin = (o: PinOptions): PinPlan => {
  if (o.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(o.date)) throw new UsageError(`--date ${JSON.stringify(o.date)}: expected YYYY-MM-DD`);
  const out = o.out ?? pinTarget();
  const loaded = loadDocument(o.file);
  const previousText = existsSync(out) ? readFileSync(out, 'utf8') : null;
  const previous = previousText ? ((JSON.parse(previousText) as Record<string, unknown>)[SLICE_KEY] as SliceInfo | undefined) : undefined;
  // The same bytes keep the provenance recorded for them; a new document needs it given.
  const same = previous?.source.sha256 === loaded.sha256;
  const source: SliceSource = {
    file: basename(o.file),
    sha256: loaded.sha256,
    commit: o.commit ?? (same ? previous.source.commit : null),
    date: o.date ?? (same ? previous.source.date : null),
  };
  let slice: ReturnType<typeof extractSlice>;
  try {
    slice = extractSlice(loaded.doc, SLICE_PATHS, source);
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`${o.file}: ${e.message}`, e.hint);
    throw e;
  }
  const text = sliceText(slice);
  return { loaded, out, source, text, previousText, unchanged: text === previousText };
};

/** Writes the slice whole or not at all. */
export const writePin = (plan: PinPlan): void => {
  writeFileSync(`${plan.out}.tmp`, plan.text);
  renameSync(`${plan.out}.tmp`, plan.out);
};
