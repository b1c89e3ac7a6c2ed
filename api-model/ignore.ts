import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { UsageError } from '../core/errors.ts';
import { caseOf, fingerprintOf } from '../core/finding-id.ts';
import type { Finding } from '../core/results.ts';
import { ALL_RULE_IDS, isKnownRule, isSuiteRule } from './rulebook/index.ts';

/**
 * The ignore file: known drift a team has accepted for a while. An entry names the finding
 * it accepts as narrowly as the team knows it: a rule, optionally an endpoint, a JSON
 * pointer (the entry covers that pointer and everything below it), a case (the catalogue
 * case, generated class or Pact interaction) and the actual value the provider gave; or the
 * finding's fingerprint, as SARIF carries it in `partialFingerprints`. Every key given must
 * hold, so an entry naming `actual: 400` never silences the same rule answering 404. A
 * reason is required, an expiry date optional. Ignored findings stay in the results, marked
 * `ignored`; an entry past its expiry ignores nothing and is itself a failing finding.
 *
 *   { "ignore": [ { "rule": "pact-status", "endpoint": "dev-users.create", "path": "/status",
 *                   "case": "dev-users.create 400 for a missing email", "actual": 422,
 *                   "reason": "DEV-123", "expires": "2026-03-31" },
 *                 { "fingerprint": "0c1f…", "reason": "DEV-124" } ] }
 *
 * YAML (`.yaml`/`.yml`) holds the same structure; a bare list of entries is accepted too.
 */
export interface IgnoreEntry {
  /** Any rule of any pillar (a property's as `properties.<property>.<rule>`); optional with a fingerprint. */
  rule?: string;
  endpoint?: string;
  path?: string;
  /** The finding's case exactly as the reports show it. */
  case?: string;
  /** The finding's actual value (a status such as 404, a body value). */
  actual?: unknown;
  /** The finding's SARIF fingerprint (`partialFingerprints["devrevGateFinding/v1"]`). */
  fingerprint?: string;
  reason: string;
  /** YYYY-MM-DD (the entry holds through that day, UTC) or an ISO date-time. */
  expires?: string;
}

export interface IgnoreFile {
  file: string;
  entries: IgnoreEntry[];
  /** Where each entry sits in the file, as a JSON pointer (`/ignore/0` or `/0`). */
  pointers: string[];
}

export const DEFAULT_IGNORE_FILES = ['devrev-gate.ignore.json', 'devrev-gate.ignore.yaml', 'devrev-gate.ignore.yml'];

const ENTRY_KEYS = new Set(['rule', 'endpoint', 'path', 'case', 'actual', 'fingerprint', 'reason', 'expires']);
const FINGERPRINT = /^[0-9a-f]{32}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const bad = (file: string, problem: string) =>
  new UsageError(`ignore file ${file}: ${problem}`, 'fix the file (entries are {rule, endpoint?, path?, case?, actual?, reason, expires?} or {fingerprint, reason, expires?})');

/** The instant an entry stops holding: the end of its expiry day, or the date-time given. */
export const expiryOf = (expires: string): number =>
  DATE.test(expires) ? Date.parse(`${expires}T23:59:59.999Z`) : Date.parse(expires);

export const parseIgnore = (text: string, file: string): IgnoreFile => {
  const name = basename(file);
  let doc: unknown;
  try {
    // logLevel error: the yaml package would print its warnings as Node warnings on stderr.
    doc = /\.ya?ml$/i.test(file) ? parseYaml(text, { logLevel: 'error' }) : JSON.parse(text);
  } catch (err) {
    const first = String((err as Error).message).split('\n')[0];
    throw bad(name, `not valid ${/\.ya?ml$/i.test(file) ? 'YAML' : 'JSON'} (${first})`);
  }
  let list: unknown;
  let prefix: string;
  if (Array.isArray(doc)) {
    list = doc;
    prefix = '';
  } else if (doc !== null && typeof doc === 'object' && Object.keys(doc).every((k) => k === 'ignore')) {
    list = (doc as Record<string, unknown>)['ignore'] ?? [];
    prefix = '/ignore';
  } else {
    throw bad(name, 'expected {"ignore": [entries]} or a list of entries');
  }
  if (!Array.isArray(list)) throw bad(name, '"ignore" must be a list of entries');
  const entries: IgnoreEntry[] = [];
  const pointers: string[] = [];
  list.forEach((raw, i) => {
    const where = `entry ${i + 1}`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad(name, `${where} is not an object`);
    const e = raw as Record<string, unknown>;
    const unknown = Object.keys(e).filter((k) => !ENTRY_KEYS.has(k));
    if (unknown.length) throw bad(name, `${where} has unknown key ${JSON.stringify(unknown[0])}`);
    if (e['fingerprint'] !== undefined && (typeof e['fingerprint'] !== 'string' || !FINGERPRINT.test(e['fingerprint'])))
      throw bad(name, `${where}: "fingerprint" must be the 32 hex digits SARIF gives a result (partialFingerprints), got ${JSON.stringify(e['fingerprint'])}`);
    if (e['rule'] !== undefined || e['fingerprint'] === undefined) {
      if (typeof e['rule'] !== 'string' || !isKnownRule(e['rule']))
        throw bad(
          name,
          `${where} names no known rule (${JSON.stringify(e['rule'] ?? null)}) and no fingerprint; rules: ${ALL_RULE_IDS.filter((r) => r !== 'ignore-entry-expired' && !isSuiteRule(r)).join(', ')}`,
        );
      if (e['rule'] === 'ignore-entry-expired') throw bad(name, `${where}: an expired entry cannot be ignored, renew it`);
      if (isSuiteRule(e['rule'])) throw bad(name, `${where}: ${e['rule']} is a failure of devrev-gate itself; report it, it cannot be ignored`);
    }
    if (typeof e['reason'] !== 'string' || e['reason'].trim() === '') throw bad(name, `${where} needs a "reason"`);
    if (e['endpoint'] !== undefined && (typeof e['endpoint'] !== 'string' || e['endpoint'] === ''))
      throw bad(name, `${where}: "endpoint" must be an endpoint name such as rev-users.create`);
    if (e['path'] !== undefined && (typeof e['path'] !== 'string' || !(e['path'] === '' || e['path'].startsWith('/'))))
      throw bad(name, `${where}: "path" must be a JSON pointer starting with "/"`);
    if (e['case'] !== undefined && (typeof e['case'] !== 'string' || e['case'] === ''))
      throw bad(name, `${where}: "case" must be a case as the reports name it, such as "rev-users.create 201 full request"`);
    // YAML reads an unquoted 2026-01-31 as a date.
    const expires = e['expires'] instanceof Date ? e['expires'].toISOString().slice(0, 10) : e['expires'];
    if (expires !== undefined && (typeof expires !== 'string' || Number.isNaN(expiryOf(expires))))
      throw bad(name, `${where}: "expires" must be a date (YYYY-MM-DD), got ${JSON.stringify(expires)}`);
    entries.push({
      ...(e['rule'] !== undefined ? { rule: e['rule'] as string } : {}),
      reason: e['reason'],
      ...(e['endpoint'] !== undefined ? { endpoint: e['endpoint'] as string } : {}),
      ...(e['path'] !== undefined ? { path: e['path'] as string } : {}),
      ...(e['case'] !== undefined ? { case: e['case'] as string } : {}),
      ...(e['actual'] !== undefined ? { actual: e['actual'] } : {}),
      ...(e['fingerprint'] !== undefined ? { fingerprint: e['fingerprint'] as string } : {}),
      ...(expires !== undefined ? { expires: expires as string } : {}),
    });
    pointers.push(`${prefix}/${i}`);
  });
  return { file, entries, pointers };
};

/** Reads `--ignore FILE`, or the default file in `cwd` when there is one; null when none. */
export const loadIgnore = (given: string | undefined, cwd = process.cwd()): IgnoreFile | null => {
  let file: string;
  if (given !== undefined) {
    file = resolve(cwd, given);
    if (!existsSync(file)) throw new UsageError(`ignore file ${given} does not exist`, 'check the --ignore path');
  } else {
    const found = DEFAULT_IGNORE_FILES.map((f) => resolve(cwd, f)).filter((f) => existsSync(f));
    if (found.length > 1)
      throw new UsageError(
        `both ${found.map((f) => basename(f)).join(' and ')} exist`,
        'keep one ignore file, or name it with --ignore',
      );
    if (found.length === 0) return null;
    file = found[0]!;
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read ignore file ${given ?? basename(file)}`, 'check its permissions');
  }
  return parseIgnore(text, file);
};

export const isExpired = (e: IgnoreEntry, now: number): boolean => e.expires !== undefined && expiryOf(e.expires) < now;

const covers = (path: string | undefined, pointer: string) =>
  path === undefined || path === '' || pointer === path || pointer.startsWith(`${path}/`);

/** Equal as the reports show them: a 404 in YAML matches a 404 the provider gave, "404" too. */
const sameValue = (a: unknown, b: unknown): boolean =>
  a !== null && b !== null && typeof a !== 'object' && typeof b !== 'object' ? String(a) === String(b) : JSON.stringify(a) === JSON.stringify(b);

type Matchable = Parameters<typeof fingerprintOf>[0];

/** Every key the entry gives holds for the finding; a failure of the suite itself is never matched. */
export const matches = (e: IgnoreEntry, f: Matchable): boolean =>
  !isSuiteRule(f.ruleId) &&
  f.ruleId !== 'ignore-entry-expired' &&
  (e.rule === undefined || e.rule === f.ruleId) &&
  (e.endpoint === undefined || e.endpoint === f.endpoint) &&
  covers(e.path, f.pointer) &&
  (e.case === undefined || e.case === caseOf(f)) &&
  (!Object.hasOwn(e, 'actual') || sameValue(e.actual, f.actual)) &&
  (e.fingerprint === undefined || e.fingerprint === fingerprintOf(f));

/** Marks the findings an unexpired entry covers; returns new objects, the input is not touched. */
export const applyIgnore = (findings: Finding[], ignore: IgnoreFile | null, now: number): Finding[] => {
  if (!ignore) return findings;
  const live = ignore.entries.filter((e) => !isExpired(e, now));
  return findings.map((f) => {
    const e = live.find((x) => matches(x, f));
    return e ? { ...f, ignored: { reason: e.reason, expires: e.expires ?? null } } : f;
  });
};
