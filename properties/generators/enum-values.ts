import fc from 'fast-check';
import type { EnumField } from '../endpoints.ts';

/**
 * Values other than the documented ones for a request field whose schema is an enum (a dev
 * user's `state`, whose request enum has the one value `shadow`). The classes are the
 * plausible mistakes: another value the 201 documents for the same field (its enum is
 * named: `other-user-state`), a documented value in another case or with whitespace or a
 * look-alike letter, the empty string, and any other string. Non-string values are a JSON
 * type mistake (wrong-type.ts).
 */
export type EnumMistake = string;

/** The mistakes that apply to the field: `other-<the answer enum's title>` only where the 201 documents more values. */
export const enumMistakes = (e: EnumField): EnumMistake[] => [
  ...(otherDocumented(e).length ? [`other-${e.answer!.title}`] : []),
  ...(near(e).length ? ['case-or-whitespace'] : []),
  ...(e.values.includes('') ? [] : ['empty']),
  'arbitrary',
];

const otherDocumented = (e: EnumField): string[] => (e.answer?.values ?? []).filter((x) => !e.values.includes(x));

// Latin letters and the Cyrillic letters drawn the same.
const LOOK_ALIKE: Record<string, string> = { a: '\u0430', c: '\u0441', e: '\u0435', i: '\u0456', o: '\u043e', p: '\u0440', s: '\u0455', x: '\u0445', y: '\u0443' };

/** Each documented value capitalised, upper-cased, with its second letter upper, padded, with a look-alike first letter. */
const nearValues = (v: string): string[] => {
  const out = [v.charAt(0).toUpperCase() + v.slice(1), v.toUpperCase(), v.charAt(0) + v.charAt(1).toUpperCase() + v.slice(2), ` ${v}`, `${v} `, `${v}\n`];
  const first = LOOK_ALIKE[v.charAt(0)];
  if (first) out.push(first + v.slice(1));
  return out;
};

const near = (e: EnumField): string[] => [...new Set(e.values.flatMap(nearValues))].filter((x) => !e.values.includes(x));

export const notDocumented = (e: EnumField, mistake: EnumMistake): fc.Arbitrary<string> => {
  const documented = new Set(e.values);
  if (mistake.startsWith('other-')) return fc.constantFrom(...otherDocumented(e));
  if (mistake === 'case-or-whitespace') return fc.constantFrom(...near(e));
  if (mistake === 'empty') return fc.constant('');
  return fc.string({ minLength: 1, maxLength: 20 }).filter((x) => !documented.has(x));
};
