import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { UsageError } from '../core/errors.ts';
import { escapeSegment, segmentsOf } from '../core/pointer.ts';
import type { Observation } from './headers.ts';

/**
 * Baselines: the shape of the live answers as a run saw them, documented or not, so a later
 * run notices when something a client may already rely on disappears or changes type. A
 * shape maps every JSON pointer in a body to its JSON type; array elements share one
 * pointer segment `*` (the shape of "any element"), so the length of an array is no drift.
 *
 *   { "devrevGateBaseline": 1, "recordedAt": "...", "target": "http://...",
 *     "answers": [ { "endpoint": "rev-users.create", "case": "minimal-create", "status": 201,
 *                    "shape": { "": "object", "/rev_user": "object", "/rev_user/id": "string",
 *                               "/rev_user/phone_numbers/*": "string" } } ] }
 */
export const BASELINE_VERSION = 1;

export type Shape = Record<string, string>;

export interface BaselineAnswer {
  endpoint: string;
  case: string;
  status: number;
  shape: Shape;
}

export interface Baseline {
  devrevGateBaseline: typeof BASELINE_VERSION;
  recordedAt: string;
  target: string;
  answers: BaselineAnswer[];
}

const typeName = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
};

/** Every pointer in `body` with its JSON type; elements of one array merge under `*`. */
export const shapeOf = (body: unknown): Shape => {
  const types = new Map<string, Set<string>>();
  const walk = (node: unknown, pointer: string) => {
    const set = types.get(pointer) ?? new Set<string>();
    set.add(typeName(node));
    types.set(pointer, set);
    if (Array.isArray(node)) for (const item of node) walk(item, `${pointer}/*`);
    else if (node !== null && typeof node === 'object')
      for (const [k, v] of Object.entries(node)) walk(v, `${pointer}/${escapeSegment(k)}`);
  };
  if (body !== undefined) walk(body, '');
  const shape: Shape = {};
  for (const p of [...types.keys()].sort()) shape[p] = [...types.get(p)!].sort().join('|');
  return shape;
};

/** A concrete pointer into `body` in shape terms: array indices become `*`. */
export const generalize = (body: unknown, pointer: string): string => {
  let node = body;
  let out = '';
  for (const seg of segmentsOf(pointer)) {
    const isArray = Array.isArray(node);
    out += `/${isArray ? '*' : escapeSegment(seg)}`;
    node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
  }
  return out;
};

/** An element pointer under an array that is now empty: absence of its elements is no drift. */
const underEmptyArray = (pointer: string, current: Shape): boolean => {
  let p = pointer;
  while (p.includes('/*')) {
    const cut = p.lastIndexOf('/*');
    const parent = p.slice(0, cut);
    if (current[parent] === 'array' && current[`${parent}/*`] === undefined) return true;
    p = parent;
  }
  return false;
};

/**
 * What disappeared or changed type since the baseline, for one answer. Pointers already
 * reported by the schema checks are left out: one value, one finding.
 */
export const compareShapes = (recorded: Shape, current: Shape, alreadyReported: Set<string>): Observation[] => {
  const out: Observation[] = [];
  for (const [pointer, type] of Object.entries(recorded)) {
    if (alreadyReported.has(pointer) || [...alreadyReported].some((r) => r !== '' && pointer.startsWith(`${r}/`)))
      continue;
    const now = current[pointer];
    if (now === undefined) {
      if (underEmptyArray(pointer, current)) continue;
      // Report the highest pointer that vanished, not each of its descendants.
      const parent = pointer.slice(0, pointer.lastIndexOf('/'));
      if (pointer !== '' && recorded[parent] !== undefined && current[parent] === undefined) continue;
      out.push({
        rule: 'baseline-property-removed',
        basis: 'assumed',
        pointer,
        expected: type,
        actual: 'absent',
        message: `${pointer} (${type} in the baseline) is gone`,
      });
    } else if (now !== type) {
      out.push({
        rule: 'baseline-property-type-changed',
        basis: 'assumed',
        pointer,
        expected: type,
        actual: now,
        message: `${pointer || 'the body'} was ${type} in the baseline, now ${now}`,
      });
    }
  }
  return out;
};

export const newBaseline = (target: string, answers: BaselineAnswer[]): Baseline => ({
  devrevGateBaseline: BASELINE_VERSION,
  recordedAt: new Date().toISOString(),
  target,
  answers,
});

const bad = (file: string, problem: string) =>
  new UsageError(`baseline ${file}: ${problem}`, 'record a new one with --record-baseline FILE');

export const parseBaseline = (text: string, file: string): Baseline => {
  const name = basename(file);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw bad(name, `not valid JSON (${String((err as Error).message).split('\n')[0]})`);
  }
  const d = doc as Partial<Baseline> | null;
  if (d === null || typeof d !== 'object' || d.devrevGateBaseline !== BASELINE_VERSION)
    throw bad(name, `not a devrev-gate baseline (expected "devrevGateBaseline": ${BASELINE_VERSION})`);
  if (!Array.isArray(d.answers)) throw bad(name, '"answers" must be a list');
  d.answers.forEach((a, i) => {
    const ok =
      a !== null &&
      typeof a === 'object' &&
      typeof a.endpoint === 'string' &&
      typeof a.case === 'string' &&
      Number.isInteger(a.status) &&
      a.shape !== null &&
      typeof a.shape === 'object' &&
      Object.values(a.shape).every((t) => typeof t === 'string');
    if (!ok) throw bad(name, `answer ${i + 1} needs endpoint, case, status and a shape of pointer → type`);
  });
  return d as Baseline;
};

export const loadBaseline = (file: string, cwd = process.cwd()): Baseline => {
  const abs = resolve(cwd, file);
  if (!existsSync(abs)) throw new UsageError(`baseline ${file} does not exist`, 'record one first with --record-baseline FILE');
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read baseline ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'give the file --record-baseline wrote');
  }
  return parseBaseline(text, abs);
};

export const writeBaseline = (file: string, baseline: Baseline): void => {
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileSync(resolve(file), `${JSON.stringify(baseline, null, 2)}\n`);
};

export const findAnswer = (b: Baseline, endpoint: string, kase: string, status: number): BaselineAnswer | undefined =>
  b.answers.find((a) => a.endpoint === endpoint && a.case === kase && a.status === status);
