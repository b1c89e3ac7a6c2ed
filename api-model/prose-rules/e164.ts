/**
 * DevRev documents phone numbers "in E.164 format" (rev-users.create, prose only; the spec
 * has no pattern). E.164: a `+`, a country code that does not start with 0, and at most 15
 * digits in all. Digits are ASCII only: full-width plus, Arabic-Indic or other Unicode
 * digits, spaces, dashes, parentheses and trailing whitespace are all outside the format.
 * A lone country code is not a number, so at least two digits are required: the common
 * reading `^\+[1-9]\d{1,14}$` (JS `\d` is ASCII-only and `$` does not match before "\n").
 */
const E164 = /^\+[1-9][0-9]{1,14}$/;

export const E164_MAX_DIGITS = 15;

/** The same rule as a pattern source, for matchers that need it as text (Pact `regex`). */
export const E164_PATTERN = E164.source;

export const isE164 = (value: unknown): boolean => typeof value === 'string' && E164.test(value);

/** Why a value is not E.164, in words a finding can carry; null when it is. */
export const e164Problem = (value: unknown): string | null => {
  if (typeof value !== 'string') return `expected a string, got ${value === null ? 'null' : typeof value}`;
  if (isE164(value)) return null;
  if (!value.startsWith('+')) return 'must start with "+"';
  const rest = value.slice(1);
  if (rest.length === 0) return 'has no digits after "+"';
  if (!/^[0-9]+$/.test(rest)) return 'may contain only ASCII digits after "+"';
  if (rest.startsWith('0')) return 'country code may not start with 0';
  if (rest.length > E164_MAX_DIGITS) return `has ${rest.length} digits, at most ${E164_MAX_DIGITS} allowed`;
  return 'needs a country code and a subscriber number';
};
