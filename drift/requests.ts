import { type CaseState, type CatalogueCase, catalogueCases, type FixtureName } from '../api-model/cases/catalogue.ts';
import { runValues } from '../api-model/cases/request-values.ts';
import { SIMULATOR_STAND_INS } from '../api-model/cases/stand-ins.ts';
import type { EndpointSpec } from '../api-model/shapes/endpoints.ts';
import { endpointModel } from '../api-model/endpoints/index.ts';
import type { HttpRequest } from '../core/http.ts';
import { type ControlCall, controlCall } from '../core/simulator-control.ts';
import type { BasisName } from '../core/results.ts';
import type { Fixtures } from '../core/run-context.ts';
import { USER_CONFIG_FILES } from '../core/user-repo.ts';

/**
 * The drift check's request set: a view of the case catalogue, every endpoint's cases. Each
 * case gives the status, the basis, the rule it breaks, the fixtures it needs and its
 * request; drift fills the request with run-tagged values (so runs never collide with each
 * other or with a tenant's real records) and the tenant's fixture ids, and turns a provider
 * state into the setup step that makes it.
 */
export type { FixtureName } from '../api-model/cases/catalogue.ts';

export interface CaseEnv {
  runId: string;
  fixtures: Fixtures;
  /** The embedded simulator: its setup routes exist and it needs no tenant fixtures. */
  simulator: boolean;
}

/** A step before the request: an API call (a record that must exist) or a simulator setup route. */
export type SetupStep = { kind: 'api'; request: HttpRequest } | { kind: 'simulator'; call: ControlCall };

export interface Prepared {
  setup: SetupStep[];
  request: HttpRequest;
}

export interface DriftCase {
  name: string;
  endpoint: EndpointSpec & { envelope: string };
  /** What the case sends, in a few words. */
  summary: string;
  expected: { status: number; basis: BasisName; why: string };
  /** The prose/spec rule the request breaks, checked by the oracle before it is ever sent. */
  violates?: CatalogueCase['violates'];
  /** Tenant fixtures a real target must provide; without them the case is skipped by name. */
  needs?: readonly FixtureName[];
  /** Needs a simulator setup route: skipped, by name, on every other target. */
  simulatorOnly?: boolean;
  prepare(env: CaseEnv): Prepared;
}

/** Stand-ins the simulator accepts in place of a tenant's existing records. */
export const SIMULATOR_FIXTURES: Required<Pick<Fixtures, FixtureName>> = SIMULATOR_STAND_INS;

const fixture = (env: CaseEnv) => (name: FixtureName) => env.fixtures[name] ?? SIMULATOR_FIXTURES[name];

/**
 * The provider states drift can make: a throttled or read-only user through the simulator's
 * setup routes (a token of its own, so the run's other requests stay clear), a taken unique
 * value by a create of the same request just before. A server fault is the provider's to
 * have, not ours to cause: those cases are not drift's.
 */
const SIMULATOR_ROUTE: Partial<Record<CaseState, 'throttle' | 'read-only-tokens'>> = { throttled: 'throttle', 'read-only': 'read-only-tokens' };
const canMake = (state: CaseState | undefined): boolean => state === undefined || state === 'taken-unique' || SIMULATOR_ROUTE[state] !== undefined;

const toDrift = (c: CatalogueCase): DriftCase | null => {
  const model = endpointModel(c.endpoint);
  const build = c.request;
  if (!model || !build) return null;
  if (!canMake(c.state)) return null;
  const route = c.state ? SIMULATOR_ROUTE[c.state] : undefined;
  const endpoint = model.spec;
  return {
    name: c.name,
    endpoint,
    summary: c.summary,
    expected: { status: c.status, basis: c.basis, why: c.why },
    ...(c.violates ? { violates: c.violates } : {}),
    ...(c.fixtures ? { needs: c.fixtures } : {}),
    ...(route ? { simulatorOnly: true } : {}),
    prepare(env) {
      const sent = build(runValues(env.runId, fixture(env)));
      const request: HttpRequest =
        'raw' in sent ? { path: endpoint.path, rawBody: sent.raw } : { path: endpoint.path, body: sent.body, ...(sent.auth === 'none' ? { auth: 'none' } : {}) };
      if (route) {
        const token = `${env.runId}-${c.name}-${endpoint.name}`;
        const extra: Partial<HttpRequest> = c.state === 'throttled' ? { token, retry429: false } : { token };
        return { setup: [{ kind: 'simulator', call: controlCall(route, { token }) }], request: { ...request, ...extra } };
      }
      return { setup: c.state === 'taken-unique' ? [{ kind: 'api', request }] : [], request };
    },
  };
};

/** Every drift case: the catalogue's cases whose request drift can send, endpoint by endpoint. */
export const driftCases = (): DriftCase[] => catalogueCases().flatMap((c) => toDrift(c) ?? []);

export const caseId = (c: DriftCase) => `drift.${c.endpoint.name}.${c.name}`;

/** Why a case cannot run against this target, or null when it can. */
export const skipReason = (c: DriftCase, env: CaseEnv): string | null => {
  if (env.simulator) return null;
  if (c.simulatorOnly) return 'needs the simulator\'s setup routes; the target cannot be set up this way';
  const missing = (c.needs ?? []).filter((n) => env.fixtures[n] === undefined);
  if (missing.length) return `needs tenant fixtures: ${missing.join(', ')} (fixtures: in ${USER_CONFIG_FILES[0]})`;
  return null;
};
