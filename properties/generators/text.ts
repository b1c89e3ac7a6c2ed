import fc from 'fast-check';

/**
 * Free-text values (`format: text`: the docs give no pattern). Valid cases must be
 * accepted and echoed by any faithful provider, so they stay inside what nobody normalises:
 * words of letters and digits, some with accents or other scripts in NFC form, single
 * spaces between words, never leading or trailing whitespace.
 */
const LETTERS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const letter = fc.constantFrom(...LETTERS);

export const word = (): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: letter, minLength: 1, maxLength: 10 }) },
    { weight: 1, arbitrary: fc.constantFrom('José', 'Zoë', 'Łukasz', '李雷', 'Ана', 'O’Brien', 'Müller-Lüdenscheidt') },
  );

export const text = (maxWords = 4): fc.Arbitrary<string> =>
  fc.array(word(), { minLength: 1, maxLength: maxWords }).map((w) => w.join(' '));

/**
 * Plain addresses at a reserved domain. Not `fc.emailAddress()`: its RFC-valid quoting and
 * odd characters are rejected by most API validators, so they cannot stand for "accepted".
 */
export const email = (): fc.Arbitrary<string> =>
  fc.string({ unit: letter, minLength: 1, maxLength: 12 }).map((local) => `${local}@example.com`);

/** An `external_ref`: the run id and a sequence number are appended at send time. */
export const externalRef = (): fc.Arbitrary<string> =>
  fc.string({ unit: letter, minLength: 1, maxLength: 12 }).map((s) => `ext-${s}`);

/** A custom-field or subtype name fragment: lower case, digits, underscores. */
export const identifier = (): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz_'), minLength: 1, maxLength: 10 });

/** Values of custom fields (their types are the tenant's schema's business). */
export const fieldValue = (): fc.Arbitrary<unknown> =>
  fc.oneof(fc.string({ unit: letter, maxLength: 12 }), fc.integer({ min: -1000, max: 1000 }), fc.boolean());
