import type fc from 'fast-check';
import { basisOfCases } from '../api-model/cases/catalogue.ts';
import type { JsonCase } from './case.ts';
import type { EndpointView } from './endpoints.ts';
import { fieldsBody, minimalBody, noValidBody } from './generators/bodies.ts';
import type { CaseProperty, ClassDef, UnavailableClass } from './property.ts';

/**
 * Requests without a token. The document puts every operation under its bearer security
 * scheme and lists 401 for every create, so a valid body sent without `Authorization`
 * must get a 401 with a documented error body, and must never create anything. Where the
 * endpoint requires fields, its smallest body and its fuller ones are classes of their own
 * (`dev.no-token.minimal`, `dev.no-token.fields`); where nothing is required, the fuller
 * bodies shrink to the smallest anyway (`rev.no-token`).
 */
export const noTokenRejected = (views: EndpointView[]): CaseProperty => {
  const cases = views.flatMap((v) => v.model.cases.filter((c) => c.status === 401).map((c) => `${v.name}/${c.name}`));
  return {
    kind: 'cases',
    name: 'no-token-rejected',
    title: 'a valid request without a token gets a documented 401',
    cases,
    basis: cases.length ? basisOfCases(cases) : 'spec',
    classes(s) {
      const classes: ClassDef[] = [];
      const unavailable: UnavailableClass[] = [];
      const add = (v: EndpointView, cls: string, body: fc.Arbitrary<unknown> | null) => {
        if (body) classes.push({ name: cls, endpoints: [v.name], arb: body.map((b): JsonCase => ({ cls, endpoint: v.name, expect: 'unauthorized', body: b })) });
        else unavailable.push({ name: cls, endpoint: v.name, reason: noValidBody(v, s) ?? 'this target cannot fill its valid body' });
      };
      for (const v of views) {
        if (v.required.length === 0) add(v, `${v.prefix}.no-token`, fieldsBody(v, s));
        else {
          add(v, `${v.prefix}.no-token.minimal`, minimalBody(v, s));
          add(v, `${v.prefix}.no-token.fields`, fieldsBody(v, s));
        }
      }
      return { classes, unavailable };
    },
  };
};
