import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { at, pointerOf, refTokens } from '../api-model/openapi/pointer.ts';
import { SLICE_FILE } from '../api-model/openapi/slice.ts';
import { PACT_FILE } from '../core/pact-names.ts';
import { segmentsOf } from '../core/pointer.ts';
import type { Finding } from '../core/results.ts';
import { jsonPositions, type Position } from './json-positions.ts';

/**
 * Where the shape a finding is about is defined in a JSON document: an OpenAPI slice for
 * what DevRev documents, a pact file for a Pact mismatch. For devrev-gate's own pinned
 * documents it gives the tool's pointer; alert-locations.ts applies it to the user's files.
 */

const ROOT = resolve(import.meta.dirname, '..');

export interface SourceFile {
  /** Path relative to the repository root, with forward slashes (a SARIF artifact URI). */
  uri: string;
  text: string;
  doc: unknown;
  sha256: string;
  positions: Map<string, Position>;
}

export interface SourceLocation extends Position {
  file: SourceFile;
  /** RFC 6901 pointer into that file of the definition. */
  pointer: string;
}

const cache = new Map<string, SourceFile | null>();

/** A JSON file with its positions, its URI relative to `root`; null when absent or not JSON. */
export const sourceFile = (path: string, root: string = ROOT): SourceFile | null => {
  const key = `${root}\u0000${path}`;
  if (!cache.has(key)) {
    let file: SourceFile | null = null;
    try {
      const text = readFileSync(path, 'utf8');
      file = {
        uri: relative(root, path).split('\\').join('/'),
        text,
        doc: JSON.parse(text) as unknown,
        sha256: createHash('sha256').update(text).digest('hex'),
        positions: jsonPositions(text),
      };
    } catch {
      // Missing or not JSON: nothing to place an alert in.
    }
    cache.set(key, file);
  }
  return cache.get(key)!;
};

export const sliceFile = (): SourceFile => sourceFile(SLICE_FILE)!;
export const pactFile = (): SourceFile | null => sourceFile(join(ROOT, 'pacts', PACT_FILE));

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);

/** Follows `$ref`s from `loc` to the definition they name. */
const deref = (doc: unknown, loc: string[]): string[] => {
  for (let hops = 0; hops < 32; hops++) {
    const ref = obj(at(doc, loc))?.['$ref'];
    const target = typeof ref === 'string' ? refTokens(ref) : null;
    if (!target || at(doc, target) === undefined) return loc;
    loc = target;
  }
  return loc;
};

/** The schema (reached through refs and allOf/oneOf/anyOf branches) that defines `segment` of the value `loc` describes. */
const childSchema = (doc: unknown, loc: string[], segment: string, depth = 0): string[] | null => {
  if (depth > 8) return null;
  const here = deref(doc, loc);
  const node = obj(at(doc, here));
  if (!node) return null;
  if (obj(node['properties'])?.[segment] !== undefined) return [...here, 'properties', segment];
  for (const combiner of ['allOf', 'oneOf', 'anyOf']) {
    const branches = node[combiner];
    if (!Array.isArray(branches)) continue;
    for (let k = 0; k < branches.length; k++) {
      const found = childSchema(doc, [...here, combiner, String(k)], segment, depth + 1);
      if (found) return found;
    }
  }
  if (/^\d+$/.test(segment) && node['items'] !== undefined) return [...here, 'items'];
  if (obj(node['additionalProperties'])) return [...here, 'additionalProperties'];
  return null;
};

const headerKey = (headers: unknown, name: string) => Object.keys(obj(headers) ?? {}).find((k) => k.toLowerCase() === name.toLowerCase());

/** The slice's definition of what `pointer` points at in the answer `status` of `endpoint`. */
export const sliceTokens = (doc: unknown, endpoint: string, status: number | null, pointer: string): string[] => {
  const op = ['paths', `/${endpoint}`, 'post'];
  if (at(doc, op) === undefined) return at(doc, ['paths']) === undefined ? [] : ['paths'];
  const responses = obj(at(doc, [...op, 'responses']));
  if (status === null || !responses) return op;
  const key = String(status) in responses ? String(status) : 'default' in responses ? 'default' : null;
  if (key === null) return [...op, 'responses'];
  const response = deref(doc, [...op, 'responses', key]);
  const segments = segmentsOf(pointer);
  if (segments[0] === 'status') return [...op, 'responses', key];
  if (segments[0] === 'headers' && segments[1] !== undefined) {
    const name = headerKey(at(doc, [...response, 'headers']), segments[1]);
    return name ? [...response, 'headers', name] : response;
  }
  const content = obj(at(doc, [...response, 'content']));
  const type = content && ('application/json' in content ? 'application/json' : Object.keys(content)[0]);
  if (!type || at(doc, [...response, 'content', type, 'schema']) === undefined) return response;
  let loc = [...response, 'content', type, 'schema'];
  for (const segment of segments) {
    const next = childSchema(doc, loc, segment);
    if (!next) break;
    loc = next;
  }
  return loc;
};

/** The pact's recorded answer for the interaction a contracts finding is about, down to `pointer`. */
export const pactTokens = (doc: unknown, f: Finding): string[] | null => {
  const interactions = (obj(doc)?.['interactions'] ?? []) as Array<{ description?: string }>;
  const index = interactions.findIndex((i) => i.description !== undefined && (i.description === f.caseId || f.message.startsWith(`${i.description}: `)));
  if (index < 0) return null;
  const response = ['interactions', String(index), 'response'];
  const segments = segmentsOf(f.pointer);
  if (segments[0] === 'status') return [...response, 'status'];
  if (segments[0] === 'headers' && segments[1] !== undefined) {
    const name = headerKey(at(doc, [...response, 'headers']), segments[1]);
    return name ? [...response, 'headers', name] : response;
  }
  let loc = at(doc, [...response, 'body', 'content']) === undefined ? response : [...response, 'body', 'content'];
  for (const segment of segments) {
    if (at(doc, [...loc, segment]) === undefined) break;
    loc = [...loc, segment];
  }
  return loc;
};

export const located = (file: SourceFile, tokens: string[]): SourceLocation => {
  // Every prefix of a path that exists has a position; walk up only if a token was odd.
  for (let n = tokens.length; n >= 0; n--) {
    const pointer = pointerOf(tokens.slice(0, n));
    const position = file.positions.get(pointer);
    if (position) return { file, pointer, ...position };
  }
  return { file, pointer: '', line: 1, column: 1 };
};

/** Where the violated shape of `f` is defined: the pact for a Pact mismatch it can place, else the slice. */
export const locateFinding = (f: Finding): SourceLocation => {
  if (f.pillar === 'contracts') {
    const pact = pactFile();
    const tokens = pact && pactTokens(pact.doc, f);
    if (pact && tokens) return located(pact, tokens);
  }
  const slice = sliceFile();
  return located(slice, sliceTokens(slice.doc, f.endpoint, f.status, f.pointer));
};
