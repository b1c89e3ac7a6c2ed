import { UsageError } from '../core/errors.ts';
import { loadDocument, type OpenApiDocument } from '../api-model/openapi/document.ts';
import { reachableRefs } from '../api-model/openapi/extract.ts';
import { at, pointerOf, refTokens } from '../api-model/openapi/pointer.ts';
import { pinnedSlice, pinnedSliceFile, sliceInfo } from '../api-model/openapi/slice.ts';
import { SLICE_PATHS } from '../api-model/openapi/slice-paths.ts';

/** One side of a comparison: a DevRev OpenAPI document, whole or the committed slice. */
export interface SpecSide {
  /** What the user named: a file, or `pinned`. */
  label: string;
  /** File named in errors. */
  file: string;
  doc: OpenApiDocument;
  /** Provenance shown in reports: file name and commit or sha256. */
  source: string;
}

export const PINNED = 'pinned';

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Opens `pinned` or a file, and proves before anything is compared that every `$ref` the
 * suite's paths reach points somewhere: a broken document is one line naming the file,
 * never half a report.
 */
export const openSide = (arg: string): SpecSide => {
  if (arg === PINNED) {
    const info = sliceInfo();
    const side = { label: PINNED, file: pinnedSliceFile(), doc: pinnedSlice(), source: `pinned slice of ${info.source.file} (${info.source.commit ?? `sha256:${info.source.sha256.slice(0, 12)}`}${info.source.date ? `, ${info.source.date}` : ''})` };
    checkRefs(side);
    return side;
  }
  const loaded = loadDocument(arg);
  const side = { label: arg, file: arg, doc: loaded.doc, source: `${arg} (sha256:${loaded.sha256.slice(0, 12)})` };
  checkRefs(side);
  return side;
};

export const sideOf = (label: string, file: string, doc: OpenApiDocument): SpecSide => {
  const side = { label, file, doc, source: label };
  checkRefs(side);
  return side;
};

/** The suite's paths this document has. */
export const presentPaths = (doc: OpenApiDocument): string[] => SLICE_PATHS.filter((p) => Object.hasOwn(doc.paths, p));

const checkRefs = (side: SpecSide): void => {
  try {
    const refs = reachableRefs(
      side.doc,
      presentPaths(side.doc).map((p) => ['paths', p]),
    );
    // A $ref whose target is itself only a $ref, round and round, resolves to nothing.
    for (const r of refs) deref(side, { $ref: `#${pointerOf(r)}` }, r);
  } catch (e) {
    if (e instanceof UsageError && !e.message.startsWith(`${side.file}:`)) throw new UsageError(`${side.file}: ${e.message}`, e.hint);
    throw e;
  }
};

/** A value in a document and where it sits (RFC 6901 tokens). */
export interface Located {
  node: unknown;
  tokens: string[];
}

/**
 * Follows a chain of `$ref`s to the value it names. A chain that comes back to where it
 * started is a `$ref` cycle (recursive schemas, which reach themselves through a property,
 * are fine and never get here).
 */
export const deref = (side: SpecSide, node: unknown, tokens: string[]): Located => {
  let cur: Located = { node, tokens };
  const chain: string[] = [];
  while (isObject(cur.node) && typeof cur.node['$ref'] === 'string') {
    const ref = cur.node['$ref'];
    const target = refTokens(ref);
    if (target === null) throw new UsageError(`${side.file}: $ref ${JSON.stringify(ref)} at ${pointerOf(cur.tokens)} is not a local reference (only "#/..." is supported)`);
    const key = pointerOf(target);
    if (chain.includes(key)) throw new UsageError(`${side.file}: $ref cycle ${[...chain, key].join(' → ')}`);
    chain.push(key);
    const value = at(side.doc, target);
    if (value === undefined) throw new UsageError(`${side.file}: $ref ${JSON.stringify(ref)} at ${pointerOf(cur.tokens)} points nowhere`);
    cur = { node: value, tokens: target };
  }
  return cur;
};

/** The component name a `$ref` names (`#/components/schemas/x` → x), else null. */
export const refName = (node: unknown): string | null => {
  if (!isObject(node) || typeof node['$ref'] !== 'string') return null;
  const t = refTokens(node['$ref']);
  return t && t.length === 3 && t[0] === 'components' ? t[2]! : null;
};
