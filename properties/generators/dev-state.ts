import fc from 'fast-check';
import { USER_STATES } from '../../api-model/shapes/common.ts';

/**
 * `state` values other than `shadow` for dev-users.create, whose request enum has exactly
 * that one value. The classes are the plausible mistakes: another real user state (the
 * response enum has six), `shadow` in another case or with whitespace, the empty string,
 * and any other string. Non-string states are a JSON type mistake (wrong-type.ts).
 */
export const DEV_STATE_CLASSES = ['other-user-state', 'case-or-whitespace', 'empty', 'arbitrary'] as const;
export type DevStateClass = (typeof DEV_STATE_CLASSES)[number];

const otherStates = USER_STATES.filter((s) => s !== 'shadow');

export const devStateNotShadow = (cls: DevStateClass): fc.Arbitrary<string> => {
  switch (cls) {
    case 'other-user-state':
      return fc.constantFrom(...otherStates);
    case 'case-or-whitespace':
      return fc.constantFrom('Shadow', 'SHADOW', 'sHadow', ' shadow', 'shadow ', 'shadow\n', '\u0455hadow');
    case 'empty':
      return fc.constant('');
    case 'arbitrary':
      return fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s !== 'shadow');
  }
};
