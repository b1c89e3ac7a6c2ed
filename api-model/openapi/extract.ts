import { UsageError } from '../../core/errors.ts';
import type { OpenApiDocument } from './document.ts';
import { at, pointerOf, refTokens } from './pointer.ts';

/** Where a slice came from: enough to find the same document again. */
export interface SliceSource {
  /** File name the slice was extracted from. */
  file: string;
  sha256: string;
  /** Commit of the docs repository the document was published from, when known. */
  commit: string | null;
  /** Date of that publication (YYYY-MM-DD), when known. */
  date: string | null;
}

export const SLICE_KEY = 'x-devrev-gate-slice';

export interface SliceInfo {
  source: SliceSource;
  paths: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every local `$ref` reachable from `roots`, as pointer token lists, in discovery order.
 * Cycles are normal in OpenAPI (recursive schemas), so each target is visited once.
 * A `$ref` that points nowhere is a broken document: one line naming where it sits.
 */
export const reachableRefs = (doc: unknown, roots: readonly (readonly string[])[]): string[][] => {
  const seen = new Set<string>();
  const found: string[][] = [];
  const walk = (value: unknown, where: readonly string[]): void => {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, [...where, String(i)]);
      return;
    }
    if (!isObject(value)) return;
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') {
        const tokens = refTokens(v);
        if (tokens === null) throw new UsageError(`$ref ${JSON.stringify(v)} at ${pointerOf(where)} is not a local reference (only "#/..." is supported)`);
        const key = pointerOf(tokens);
        if (seen.has(key)) continue;
        const target = at(doc, tokens);
        if (target === undefined) throw new UsageError(`$ref ${JSON.stringify(v)} at ${pointerOf(where)} points nowhere`);
        seen.add(key);
        found.push(tokens);
        walk(target, tokens);
      } else {
        walk(v, [...where, k]);
      }
    }
  };
  for (const r of roots) {
    const v = at(doc, r);
    if (v === undefined) throw new UsageError(`the document has no ${pointerOf(r)}`);
    walk(v, r);
  }
  return found;
};

const setAt = (root: Record<string, unknown>, tokens: readonly string[], value: unknown): void => {
  let o = root;
  for (const t of tokens.slice(0, -1)) {
    if (!isObject(o[t])) o[t] = {};
    o = o[t] as Record<string, unknown>;
  }
  o[tokens[tokens.length - 1]!] = value;
};

const sortKeys = (o: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));

/**
 * The part of a DevRev OpenAPI document that the suite's endpoints depend on: their path
 * items, every component reached through `$ref`, and the security schemes the document
 * applies. The result is itself a valid OpenAPI document (Prism can serve it), with its
 * source under `x-devrev-gate-slice`.
 */
export const extractSlice = (doc: OpenApiDocument, paths: readonly string[], source: SliceSource): OpenApiDocument => {
  const missing = paths.filter((p) => !Object.hasOwn(doc.paths, p));
  if (missing.length) throw new UsageError(`the document has no path ${missing.join(', ')}`);
  const components: Record<string, unknown> = {};
  const refs = reachableRefs(
    doc,
    paths.map((p) => ['paths', p]),
  );
  for (const tokens of refs) {
    if (tokens[0] !== 'components' || tokens.length !== 3) {
      throw new UsageError(`$ref ${pointerOf(tokens)} does not name a component (#/components/<kind>/<name>)`);
    }
    setAt(components, tokens.slice(1), at(doc, tokens));
  }
  // Security schemes are named by `security` requirements, not by `$ref`: the document's,
  // and those an operation of the slice states for itself.
  const security = doc['security'];
  const schemes = at(doc, ['components', 'securitySchemes']);
  const operations = paths.flatMap((p) => (isObject(doc.paths[p]) ? Object.values(doc.paths[p]) : []));
  for (const list of [security, ...operations.map((op) => (isObject(op) ? op['security'] : undefined))]) {
    if (!Array.isArray(list) || !isObject(schemes)) continue;
    for (const req of list) {
      for (const name of isObject(req) ? Object.keys(req) : []) {
        if (schemes[name] !== undefined) setAt(components, ['securitySchemes', name], schemes[name]);
      }
    }
  }
  const sortedComponents = sortKeys(
    Object.fromEntries(Object.entries(components).map(([kind, byName]) => [kind, sortKeys(byName as Record<string, unknown>)])),
  );
  const slice: Record<string, unknown> = {
    openapi: doc.openapi,
    info: doc['info'],
    [SLICE_KEY]: { source, paths: [...paths] } satisfies SliceInfo,
    ...(doc['servers'] !== undefined ? { servers: doc['servers'] } : {}),
    ...(security !== undefined ? { security } : {}),
    paths: Object.fromEntries(paths.map((p) => [p, doc.paths[p]])),
    components: sortedComponents,
  };
  return slice as OpenApiDocument;
};
