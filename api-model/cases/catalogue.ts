import type { BasisName } from '../../core/results.ts';
import { endpointModel, endpointModels } from '../endpoints/index.ts';
import type { EndpointCase } from './templates.ts';

/**
 * The one case catalogue: every documented case of every create endpoint, written once in
 * the endpoint's own file (api-model/endpoints/). Pact interactions, the drift request set
 * and the property classes are views of it: each names its catalogue case and takes status,
 * basis and request from here (test/api-model/cases.test.ts fails when a pillar carries a
 * case or basis the catalogue lacks).
 */
export type { CaseRequest, FixtureName, RequestValues } from './request-values.ts';
export type { CaseState, EndpointCase } from './templates.ts';

export interface CatalogueCase extends EndpointCase {
  endpoint: string;
}

/** Every case of every endpoint, endpoint by endpoint. */
export const catalogueCases = (): CatalogueCase[] =>
  endpointModels().flatMap((m) => m.cases.map((c) => ({ ...c, endpoint: m.spec.name })));

export const caseKey = (c: Pick<CatalogueCase, 'endpoint' | 'name'>): string => `${c.endpoint}/${c.name}`;

/** The catalogue case a pillar's view names; a name the catalogue lacks is a bug caught at load. */
export const catalogueCase = (endpoint: string, name: string): CatalogueCase => {
  const c = endpointModel(endpoint)?.cases.find((x) => x.name === name);
  if (!c) throw new Error(`the case catalogue has no ${endpoint} ${name}`);
  return { ...c, endpoint };
};

/** The one basis of a view that covers several catalogue cases; cases that disagree are a bug. */
export const basisOfCases = (keys: readonly string[]): BasisName => {
  const bases = new Set(
    keys.map((k) => {
      const slash = k.lastIndexOf('/');
      return catalogueCase(k.slice(0, slash), k.slice(slash + 1)).basis;
    }),
  );
  if (bases.size !== 1) throw new Error(`catalogue cases ${keys.join(', ')} have different bases: ${[...bases].join(', ')}`);
  return [...bases][0]!;
};

/** Settled: `assumed` — no sentence of the docs promises the echo; DevRev's own example echoes them. */
export const ECHO_BASIS: BasisName = 'assumed';
