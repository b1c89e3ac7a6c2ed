import { isKnownRule } from '../../api-model/rulebook/index.ts';
import { pointerOf } from '../../core/pointer.ts';
import type { VerifierMismatch } from './verify.ts';

/**
 * Pact's verifier speaks in JSONPath-ish locations (`$.rev_user.id`, `$.tags[0]`,
 * `$['odd.key']`) and sentences; findings speak RFC 6901 pointers with expected and actual.
 */

const TOKEN = /\.([A-Za-z0-9_$@-]+)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/y;

/** `$.rev_user.tags[0]['a.b']` → `/rev_user/tags/0/a.b` (escaped per RFC 6901). */
export const pactPathToPointer = (path: string): string => {
  if (!path.startsWith('$')) return pointerOf(path);
  const parts: string[] = [];
  TOKEN.lastIndex = 1;
  let at = 1;
  while (at < path.length) {
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(path);
    if (!m) {
      parts.push(path.slice(at).replace(/^\./, ''));
      break;
    }
    parts.push(m[1] ?? m[2] ?? m[3] ?? m[4] ?? '');
    at = TOKEN.lastIndex;
  }
  return pointerOf(...parts);
};

export interface MismatchDetail {
  ruleId: string;
  pointer: string;
  expected: unknown;
  actual: unknown;
  message: string;
  /** The status the provider answered, when the mismatch says it. */
  status?: number;
}

const parseMaybe = (v: unknown): unknown => {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
};

const MISSING_KEYS = /missing the following keys: (.+)$/;

/** One verifier mismatch, split so that every missing key is its own finding. */
export const detailsOf = (m: Record<string, unknown>): MismatchDetail[] => {
  const type = String(m['type'] ?? 'Mismatch');
  const text = String(m['mismatch'] ?? '');
  switch (type) {
    case 'StatusMismatch':
      return [
        {
          ruleId: 'pact-status',
          pointer: '/status',
          expected: m['expected'],
          actual: m['actual'],
          message: text || `expected status ${String(m['expected'])}, got ${String(m['actual'])}`,
          status: Number(m['actual']),
        },
      ];
    case 'HeaderMismatch': {
      const key = String(m['key'] ?? '').toLowerCase();
      return [{ ruleId: 'pact-header', pointer: `/headers/${key}`, expected: m['expected'], actual: m['actual'] ?? null, message: text }];
    }
    case 'BodyMismatch': {
      const pointer = pactPathToPointer(String(m['path'] ?? '$'));
      const missing = MISSING_KEYS.exec(text);
      if (missing?.[1]) {
        return missing[1].split(/,\s*/).map((key) => ({
          ruleId: 'pact-body-missing-field',
          pointer: `${pointer}${pointerOf(key)}`,
          expected: 'present',
          actual: 'absent',
          message: `${pointer || '/'}: the answer has no "${key}"`,
        }));
      }
      return [{ ruleId: 'pact-body', pointer, expected: parseMaybe(m['expected']), actual: parseMaybe(m['actual']), message: text }];
    }
    default:
      return [
        {
          ruleId: ruleOfMismatch(type),
          pointer: m['path'] ? pactPathToPointer(String(m['path'])) : '',
          expected: parseMaybe(m['expected']),
          actual: parseMaybe(m['actual']),
          message: text || type,
        },
      ];
  }
};

/** `BodyTypeMismatch` → `pact-body-type`; a kind the rule book does not name is `pact-mismatch`. */
const ruleOfMismatch = (type: string): string => {
  const id = `pact-${type.replace(/Mismatch$/, '').replace(/[A-Z]/g, (c, i) => (i ? '-' : '') + c.toLowerCase())}`;
  return isKnownRule(id) ? id : 'pact-mismatch';
};

/** Every detail of one interaction's verifier error (a list of mismatches, or one error). */
export const detailsOfError = (e: VerifierMismatch): MismatchDetail[] => {
  if (e.mismatches && e.mismatches.length > 0) return e.mismatches.flatMap(detailsOf);
  return [{ ruleId: 'pact-error', pointer: '', expected: null, actual: null, message: e.message ?? e.type }];
};
