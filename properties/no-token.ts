import type fc from 'fast-check';
import { basisOfCases } from '../api-model/cases/catalogue.ts';
import { DEV_USERS_CREATE, REV_USERS_CREATE } from '../api-model/shapes/endpoints.ts';
import type { JsonCase } from './case.ts';
import type { CaseProperty } from './property.ts';
import { devBody, devMinimal, revBody } from './generators/bodies.ts';

/**
 * Requests without a token. The document puts every operation under its bearer security
 * scheme and lists 401 for both creates, so a valid body sent without `Authorization`
 * must get a 401 with a documented error body, and must never create anything.
 */
const unauthorized = (cls: string, endpoint: JsonCase['endpoint'], body: fc.Arbitrary<unknown>) => ({
  name: cls,
  arb: body.map((b): JsonCase => ({ cls, endpoint, expect: 'unauthorized', body: b })),
});

export const NO_TOKEN_REJECTED: CaseProperty = {
  kind: 'cases',
  name: 'no-token-rejected',
  title: 'a valid request without a token gets a documented 401',
  cases: ['rev-users.create/no-token', 'dev-users.create/no-token'],
  basis: basisOfCases(['rev-users.create/no-token', 'dev-users.create/no-token']),
  classes(s) {
    return {
      classes: [
        unauthorized('rev.no-token', REV_USERS_CREATE.name, revBody(s)),
        unauthorized('dev.no-token.minimal', DEV_USERS_CREATE.name, devMinimal()),
        unauthorized('dev.no-token.fields', DEV_USERS_CREATE.name, devBody(s)),
      ],
      unavailable: [],
    };
  },
};
