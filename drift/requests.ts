import { type CaseState, type CatalogueCase, catalogueCase, type FIXTURE_FREE_FIELDS, type FixtureName } from '../api-model/cases/catalogue.ts';
import { type CreateEndpoint, DEV_USERS_CREATE, REV_USERS_CREATE } from '../api-model/shapes/endpoints.ts';
import { SIMULATOR_STAND_INS } from '../api-model/cases/stand-ins.ts';
import type { HttpRequest } from '../core/http.ts';
import { type ControlCall, controlCall } from '../core/simulator-control.ts';
import type { BasisName } from '../core/results.ts';
import type { Fixtures } from '../core/run-context.ts';
import { USER_CONFIG_FILES } from '../core/user-repo.ts';

/**
 * The drift check's request set: a view of the case catalogue. Each case names its
 * catalogue case, which gives the status, the basis, the rule it breaks and the fixtures it
 * needs; here only the request is built. Values that must be unique carry the run id, so
 * runs never collide with each other or with a tenant's real records.
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
  endpoint: CreateEndpoint;
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

// States drift can set only through the simulator's setup routes (a taken ref it sets up
// with a create of its own).
const SIMULATOR_STATES: ReadonlySet<CaseState> = new Set(['throttled', 'read-only']);

/** A drift case of the catalogue case `name`: status, basis, rule and fixtures come from there. */
const view = (endpoint: CreateEndpoint, name: string, summary: string, prepare: (env: CaseEnv) => Prepared): DriftCase => {
  const c = catalogueCase(endpoint.name, name);
  return {
    name,
    endpoint,
    summary,
    expected: { status: c.status, basis: c.basis, why: c.why },
    ...(c.violates ? { violates: c.violates } : {}),
    ...(c.fixtures ? { needs: c.fixtures } : {}),
    ...(c.state && SIMULATOR_STATES.has(c.state) ? { simulatorOnly: true } : {}),
    prepare,
  };
};

/** Stand-ins the simulator accepts in place of a tenant's existing records. */
export const SIMULATOR_FIXTURES: Required<Pick<Fixtures, FixtureName>> = SIMULATOR_STAND_INS;

const fixture = <K extends FixtureName>(env: CaseEnv, name: K): NonNullable<Fixtures[K]> =>
  (env.fixtures[name] ?? SIMULATOR_FIXTURES[name]) as NonNullable<Fixtures[K]>;

const ref = (env: CaseEnv, what: string) => `${env.runId}-${what}`;
const email = (env: CaseEnv, what: string) => `${env.runId}-${what}@example.com`;

const post = (endpoint: CreateEndpoint, body: unknown, extra: Partial<HttpRequest> = {}): HttpRequest => ({
  path: endpoint.path,
  body,
  ...extra,
});

const only = (request: HttpRequest): Prepared => ({ setup: [], request });

/** The simulator-only cases, alike for both endpoints. */
const simulatorCases = (endpoint: CreateEndpoint, validBody: (env: CaseEnv, what: string) => unknown): DriftCase[] => [
  view(endpoint, 'throttled', "a create from a user whose quota the simulator spent; the 429 itself is checked", (env) => {
      const token = ref(env, `throttled-${endpoint.name}`);
      return {
        setup: [{ kind: 'simulator', call: controlCall('throttle', { token }) }],
        request: post(endpoint, validBody(env, 'throttled'), { token, retry429: false }),
      };
    }),
  view(endpoint, 'read-only-token', 'a create with a token the simulator marked read-only', (env) => {
      const token = ref(env, `read-only-${endpoint.name}`);
      return {
        setup: [{ kind: 'simulator', call: controlCall('read-only-tokens', { token }) }],
        request: post(endpoint, validBody(env, 'read-only'), { token }),
      };
    }),
];

const revMinimal = (env: CaseEnv, what: string) => ({ external_ref: ref(env, `rev-${what}`) });

/** The rev user fields the catalogue lists as fixture-free, with run-unique values. */
const revFixtureFree = (env: CaseEnv, what: string) =>
  ({
    description: 'created by the devrev-gate drift check',
    display_name: `devrev-gate ${env.runId}`,
    email: email(env, what),
    external_ref: ref(env, what),
    external_refs: [ref(env, `${what}-alt`)],
    phone_numbers: ['+14155550123'],
  }) satisfies Record<(typeof FIXTURE_FREE_FIELDS)['rev-users.create'][number], unknown>;

export const REV_USER_CASES: DriftCase[] = [
  view(REV_USERS_CREATE, 'minimal-create', 'only an external_ref (every field is optional)', (env) => only(post(REV_USERS_CREATE, revMinimal(env, 'minimal')))),
  // Every field that references no tenant record goes to every target, fixtures or not.
  view(REV_USERS_CREATE, 'fields-create', 'every field that needs no tenant record', (env) =>
    only(post(REV_USERS_CREATE, revFixtureFree(env, 'rev-fields'))),
  ),
  view(REV_USERS_CREATE, 'full-create', 'every documented request field, referencing the tenant fixtures', (env) =>
      only(
        post(REV_USERS_CREATE, {
          account: fixture(env, 'account'),
          artifacts: [fixture(env, 'artifact')],
          custom_fields: fixture(env, 'tenantCustomFields'),
          custom_schema_spec: { tenant_fragment: true, validate_required_fields: false },
          ...revFixtureFree(env, 'rev-full'),
          display_picture: fixture(env, 'artifact'),
          rev_org: fixture(env, 'revOrg'),
          tags: [{ id: fixture(env, 'tag'), value: 'drift' }],
        }),
      )),
  view(REV_USERS_CREATE, 'phone-not-e164', 'a phone number without "+" and country code', (env) => only(post(REV_USERS_CREATE, { ...revMinimal(env, 'phone'), phone_numbers: ['415 555 0123'] }))),
  view(REV_USERS_CREATE, 'custom-fields-without-spec', 'a tenant custom field without custom_schema_spec', (env) =>
      only(post(REV_USERS_CREATE, { ...revMinimal(env, 'custom'), custom_fields: { tnt__drift_note: 'x' } }))),
  view(REV_USERS_CREATE, 'wrong-json-type', 'display_name as a number', (env) => only(post(REV_USERS_CREATE, { ...revMinimal(env, 'type'), display_name: 42 }))),
  view(REV_USERS_CREATE, 'malformed-json', 'a body cut off in the middle of the JSON', (env) => only({ path: REV_USERS_CREATE.path, rawBody: `{"external_ref": "${ref(env, 'rev-malformed')}"` })),
  view(REV_USERS_CREATE, 'no-token', 'a valid create without Authorization', (env) => only(post(REV_USERS_CREATE, revMinimal(env, 'no-token'), { auth: 'none' }))),
  view(REV_USERS_CREATE, 'taken-external-ref', 'a second create with the external_ref of a rev user created just before', (env) => {
      const body = revMinimal(env, 'taken');
      return { setup: [{ kind: 'api', request: post(REV_USERS_CREATE, body) }], request: post(REV_USERS_CREATE, body) };
    }),
  ...simulatorCases(REV_USERS_CREATE, revMinimal),
];

const devMinimal = (env: CaseEnv, what: string) => ({ email: email(env, `dev-${what}`), state: 'shadow' });

const devFixtureFree = (env: CaseEnv, what: string) =>
  ({ ...devMinimal(env, what), full_name: `devrev-gate ${env.runId}` }) satisfies Record<
    (typeof FIXTURE_FREE_FIELDS)['dev-users.create'][number],
    unknown
  >;

export const DEV_USER_CASES: DriftCase[] = [
  view(DEV_USERS_CREATE, 'minimal-create', 'email and state "shadow", the two required fields', (env) => only(post(DEV_USERS_CREATE, devMinimal(env, 'minimal')))),
  view(DEV_USERS_CREATE, 'fields-create', 'every field that needs no tenant record', (env) =>
    only(post(DEV_USERS_CREATE, devFixtureFree(env, 'fields'))),
  ),
  view(DEV_USERS_CREATE, 'full-create', 'every documented request field, referencing the tenant fixtures', (env) =>
      only(
        post(DEV_USERS_CREATE, {
          ...devFixtureFree(env, 'full'),
          reports_to: fixture(env, 'devUser'),
          custom_fields: fixture(env, 'tenantCustomFields'),
          custom_schema_spec: { tenant_fragment: true, validate_required_fields: false },
        }),
      )),
  view(DEV_USERS_CREATE, 'missing-email', 'no email (required)', (env) => only(post(DEV_USERS_CREATE, { state: 'shadow', full_name: `devrev-gate ${env.runId}` }))),
  view(DEV_USERS_CREATE, 'state-not-shadow', 'state "active" (only "shadow" is allowed)', (env) => only(post(DEV_USERS_CREATE, { ...devMinimal(env, 'state'), state: 'active' }))),
  view(DEV_USERS_CREATE, 'custom-fields-without-spec', 'a tenant custom field without custom_schema_spec', (env) =>
      only(post(DEV_USERS_CREATE, { ...devMinimal(env, 'custom'), custom_fields: { tnt__drift_note: 'x' } }))),
  view(DEV_USERS_CREATE, 'wrong-json-type', 'full_name as a number', (env) => only(post(DEV_USERS_CREATE, { ...devMinimal(env, 'type'), full_name: 42 }))),
  view(DEV_USERS_CREATE, 'malformed-json', 'a body cut off in the middle of the JSON', (env) =>
      only({ path: DEV_USERS_CREATE.path, rawBody: `{"email": "${email(env, 'dev-malformed')}", "state": "sha` })),
  view(DEV_USERS_CREATE, 'no-token', 'a valid create without Authorization', (env) => only(post(DEV_USERS_CREATE, devMinimal(env, 'no-token'), { auth: 'none' }))),
  ...simulatorCases(DEV_USERS_CREATE, devMinimal),
];

export const DRIFT_CASES: DriftCase[] = [...REV_USER_CASES, ...DEV_USER_CASES];

export const caseId = (c: DriftCase) => `drift.${c.endpoint.name}.${c.name}`;

/** Why a case cannot run against this target, or null when it can. */
export const skipReason = (c: DriftCase, env: CaseEnv): string | null => {
  if (env.simulator) return null;
  if (c.simulatorOnly) return 'needs the simulator\'s setup routes; the target cannot be set up this way';
  const missing = (c.needs ?? []).filter((n) => env.fixtures[n] === undefined);
  if (missing.length) return `needs tenant fixtures: ${missing.join(', ')} (fixtures: in ${USER_CONFIG_FILES[0]})`;
  return null;
};
