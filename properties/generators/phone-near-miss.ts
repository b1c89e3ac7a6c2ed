import fc from 'fast-check';
import { e164, e164Digits } from './e164.ts';

/**
 * Phone numbers that are almost E.164 and are not: the mistakes integrators really make
 * (a missing `+`, formatting characters, a full-width plus pasted from a form), and the
 * boundaries a provider's pattern gets wrong (a country code starting with 0, 16 digits).
 * Every one must be rejected; numbers-for-strings and a string for the array are kept here
 * too because they are phone mistakes, though the rule they break is the JSON type.
 */
export const PHONE_NEAR_MISSES = [
  'no-plus',
  'cc-starts-with-0',
  'too-long',
  'space',
  'dash',
  'parentheses',
  'letter',
  'empty',
  'lone-plus',
  'non-ascii-digit',
  'fullwidth-plus',
  'trailing-whitespace',
] as const;
export type PhoneNearMiss = (typeof PHONE_NEAR_MISSES)[number];

/** Phone mistakes that break the JSON type rule rather than E.164. */
export const PHONE_TYPE_MISTAKES = ['number-not-string', 'string-not-array'] as const;
export type PhoneTypeMistake = (typeof PHONE_TYPE_MISTAKES)[number];

const digits = (min: number, max: number) =>
  fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max, size: 'max' }).map((d) => d.join(''));

/** Inserts `what` strictly inside the number (after the `+`, before the last digit). */
const insideAt = (what: fc.Arbitrary<string>) =>
  fc.tuple(e164(), fc.nat(), what).map(([p, at, w]) => {
    const pos = 1 + (at % (p.length - 1));
    return p.slice(0, pos) + w + p.slice(pos);
  });

// The same digit in other scripts: they look like digits, and `\d` in some regex flavours
// (Python, .NET, Unicode-aware JS) matches them.
const UNICODE_ZERO = [0x0660, 0x06f0, 0x0966, 0x09e6, 0xff10, 0x1d7ce];

const nonAsciiDigit = fc
  .tuple(e164(), fc.nat(), fc.constantFrom(...UNICODE_ZERO))
  .map(([p, at, zero]) => {
    const pos = 1 + (at % (p.length - 1));
    const d = Number(p[pos]);
    return p.slice(0, pos) + String.fromCodePoint(zero + d) + p.slice(pos + 1);
  });

const WHITESPACE = [' ', '\t', '\n', '\r\n', '\u00a0', '\u2003'];

const nearMissArbs: Record<PhoneNearMiss, fc.Arbitrary<string>> = {
  'no-plus': e164Digits(),
  'cc-starts-with-0': digits(1, 14).map((d) => `+0${d}`),
  'too-long': fc.tuple(fc.integer({ min: 1, max: 9 }), digits(15, 19)).map(([f, d]) => `+${f}${d}`),
  space: insideAt(fc.constantFrom(' ', '  ')),
  dash: insideAt(fc.constantFrom('-', '\u2011', '\u2013')),
  parentheses: fc.tuple(e164(), fc.nat(), fc.nat()).map(([p, a, b]) => {
    const d = p.slice(1);
    const i = a % d.length;
    const j = i + 1 + (b % (d.length - i));
    return `+${d.slice(0, i)}(${d.slice(i, j)})${d.slice(j)}`;
  }),
  letter: insideAt(fc.constantFrom(...'aAbexXoOlI')),
  empty: fc.constant(''),
  'lone-plus': fc.constant('+'),
  'non-ascii-digit': nonAsciiDigit,
  'fullwidth-plus': e164Digits().map((d) => `\uff0b${d}`),
  'trailing-whitespace': fc.tuple(e164(), fc.constantFrom(...WHITESPACE)).map(([p, w]) => p + w),
};

export const phoneNearMiss = (kind: PhoneNearMiss): fc.Arbitrary<string> => nearMissArbs[kind];

/** A phone number given as a JSON number (the digits of a valid number). */
export const phoneAsNumber = (): fc.Arbitrary<number> => e164Digits().map(Number);
