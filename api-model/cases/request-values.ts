import type { Fixtures } from '../../core/run-context.ts';

/** A tenant record a request may reference: without it a real target cannot take the request. */
export type FixtureName = Exclude<keyof Fixtures, 'subtype'>;

/**
 * The values port: how a pillar fills the variable parts of a case's request. Drift gives
 * run-tagged values and fixture ids (or the simulator's stand-ins), Pact gives
 * provider-state expressions (`fromProviderState`), properties give generated values. The
 * case writes the shape of its request once; the port decides what fills it.
 */
export interface RequestValues {
  /**
   * A value that carries the run, so it collides with nothing a tenant holds or another run
   * sent (`what` tells the requests of one run apart). `format` is what the field documents.
   */
  tagged(field: string, format: 'email' | 'text', what: string): unknown;
  /** The id (or, for tenantCustomFields, the fields) of an existing tenant record. */
  fixture(name: FixtureName): unknown;
  /** A readable text for a field that needs no particular value (a name, a description). */
  text(field: string): unknown;
}

/** What a case sends: a JSON body (with or without the token), or bytes that are not JSON. */
export type CaseRequest = { body: Record<string, unknown>; auth?: 'none' } | { raw: string };

/** A request body written against the values port; `what` names the case it is for. */
export type BodyOf = (v: RequestValues, what: string) => Record<string, unknown>;

/** Plain values for a run: what drift sends and what a reader of a case sees. */
export const runValues = (runId: string, fixture: (name: FixtureName) => unknown): RequestValues => ({
  tagged: (_field, format, what) => (format === 'email' ? `${runId}-${what}@example.com` : `${runId}-${what}`),
  fixture,
  text: () => `devrev-gate ${runId}`,
});
