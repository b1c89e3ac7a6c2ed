import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OpenApiDocument } from './document.ts';
import { SLICE_KEY, type SliceInfo } from './extract.ts';

/** The committed slice: the suite's one copy of what DevRev documents. */
export const SLICE_FILE = fileURLToPath(new URL('./devrev-slice.json', import.meta.url));

let cached: OpenApiDocument | undefined;

/** The pinned slice, parsed once per process. Callers must not mutate it. */
export const pinnedSlice = (): OpenApiDocument => {
  cached ??= JSON.parse(readFileSync(SLICE_FILE, 'utf8')) as OpenApiDocument;
  return cached;
};

export const sliceInfo = (doc: OpenApiDocument = pinnedSlice()): SliceInfo => doc[SLICE_KEY] as SliceInfo;

/** The slice as committed: stable text, so regenerating it from the same document changes nothing. */
export const sliceText = (slice: OpenApiDocument): string => `${JSON.stringify(slice, null, 2)}\n`;
