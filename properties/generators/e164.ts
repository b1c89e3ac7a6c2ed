import fc from 'fast-check';

/**
 * Valid E.164 numbers, built from parts rather than from a regex: fast-check's
 * `stringMatching` at its default size almost never reaches 14 or 15 digits, which is
 * exactly where providers get the limit wrong. A number is `+`, a country code of 1 to 3
 * digits (first digit 1-9) and a subscriber number of at least one digit, 15 digits in all
 * at most. The digits are one array so a counterexample shrinks to the shortest number
 * that still fails (a crash on "+44" shrinks to "+44", not to "+440"). fast-check shrinks
 * an array by dropping items from its front, so the array holds the digits last-first:
 * dropping its front drops the number's tail and keeps the prefix that made it fail. The
 * country-code length is carried beside it, clamped so one subscriber digit remains.
 */
export interface E164Number {
  phone: string;
  /** Digits of the country code (1 to 3). */
  ccLength: number;
  /** Digits in all, country code included (2 to 15). */
  totalDigits: number;
}

export const E164_MIN_DIGITS = 2;
export const E164_MAX_DIGITS = 15;

const digit = fc.integer({ min: 0, max: 9 });

export const e164Number = (): fc.Arbitrary<E164Number> =>
  fc
    .tuple(
      fc.integer({ min: 1, max: 9 }),
      // size 'max': every length up to 14 is as likely as the short ones.
      fc.array(digit, { minLength: E164_MIN_DIGITS - 1, maxLength: E164_MAX_DIGITS - 1, size: 'max' }),
      fc.integer({ min: 1, max: 3 }),
    )
    .map(([first, rest, cc]) => {
      const totalDigits = 1 + rest.length;
      return {
        phone: `+${first}${[...rest].reverse().join('')}`,
        ccLength: Math.min(cc, totalDigits - 1),
        totalDigits,
      };
    });

/** Just the string, for bodies. */
export const e164 = (): fc.Arbitrary<string> => e164Number().map((n) => n.phone);

/** The digits of a valid number, without the `+` (near misses are built from them). */
export const e164Digits = (): fc.Arbitrary<string> => e164().map((p) => p.slice(1));
