import type { ViolationKind } from '../api-model/prose-rules/request.ts';
import { type CreateEndpoint, DEV_USERS_CREATE, REV_USERS_CREATE } from '../api-model/shapes/endpoints.ts';
import type { HttpRequest } from '../core/http.ts';
import type { BasisName } from '../core/results.ts';
import type { Fixtures } from '../core/run-context.ts';

/**
 * The drift check's request set, one named case per line of the docs it exercises: per
 * endpoint a minimal and a full valid create, and requests that provoke each documented
 * error without harm. Every case states the status the docs give for it and how the docs
 * give it (`spec`, `prose`, or `assumed` where they are silent). Values that must be unique
 * carry the run id, so runs never collide with each other or with a tenant's real records.
 */
export type FixtureName = Exclude<keyof Fixtures, 'subtype'>;

export interface CaseEnv {
  runId: string;
  fixtures: Fixtures;
  /** The embedded simulator: its setup routes exist and it needs no tenant fixtures. */
  simulator: boolean;
}

/** A step before the request: an API call (a record that must exist) or a simulator setup route. */
export type SetupStep = { kind: 'api'; request: HttpRequest } | { kind: 'simulator'; path: string; body: unknown };

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
  violates?: ViolationKind | 'malformed-json';
  /** Tenant fixtures a real target must provide; without them the case is skipped by name. */
  needs?: FixtureName[];
  /** Needs a simulator setup route: skipped, by name, on every other target. */
  simulatorOnly?: boolean;
  prepare(env: CaseEnv): Prepared;
}

/** Stand-ins the simulator accepts in place of a tenant's existing records. */
export const SIMULATOR_FIXTURES: Required<Pick<Fixtures, FixtureName>> = {
  revOrg: 'don:identity:dvrv-us-1:devo/0:revo/1',
  account: 'don:identity:dvrv-us-1:devo/0:account/1',
  tag: 'don:core:dvrv-us-1:devo/0:tag/1',
  artifact: 'don:core:dvrv-us-1:devo/0:artifact/1',
  devUser: 'don:identity:dvrv-us-1:devo/0:devu/1',
  tenantCustomFields: { tnt__drift_note: 'devrev-gate' },
};

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

const CREATED = { status: 201, basis: 'spec', why: 'a valid create answers 201 with the user in its envelope' } as const;
const UNAUTHORIZED = {
  status: 401,
  basis: 'spec',
  why: 'the auth-token bearer scheme is global; a request without it is unauthenticated',
} as const;
const MALFORMED = { status: 400, basis: 'spec', why: 'the request body must be JSON; parse_error is a documented 400 type' } as const;

/** The simulator-only cases, alike for both endpoints. */
const simulatorCases = (endpoint: CreateEndpoint, validBody: (env: CaseEnv, what: string) => unknown): DriftCase[] => [
  {
    name: 'throttled',
    endpoint,
    summary: "a create from a user whose quota the simulator spent; the 429 itself is checked",
    expected: { status: 429, basis: 'prose', why: 'a throttled user gets 429 with Retry-After (rate-limits page)' },
    simulatorOnly: true,
    prepare: (env) => {
      const token = ref(env, `throttled-${endpoint.name}`);
      return {
        setup: [{ kind: 'simulator', path: '/__simulator/throttle', body: { token } }],
        request: post(endpoint, validBody(env, 'throttled'), { token, retry429: false }),
      };
    },
  },
  {
    name: 'read-only-token',
    endpoint,
    summary: 'a create with a token the simulator marked read-only',
    expected: { status: 403, basis: 'assumed', why: 'a caller without the privilege is forbidden; the docs name no trigger' },
    simulatorOnly: true,
    prepare: (env) => {
      const token = ref(env, `read-only-${endpoint.name}`);
      return {
        setup: [{ kind: 'simulator', path: '/__simulator/read-only-tokens', body: { token } }],
        request: post(endpoint, validBody(env, 'read-only'), { token }),
      };
    },
  },
];

const revMinimal = (env: CaseEnv, what: string) => ({ external_ref: ref(env, `rev-${what}`) });

export const REV_USER_CASES: DriftCase[] = [
  {
    name: 'minimal-create',
    endpoint: REV_USERS_CREATE,
    summary: 'only an external_ref (every field is optional)',
    expected: CREATED,
    prepare: (env) => only(post(REV_USERS_CREATE, revMinimal(env, 'minimal'))),
  },
  {
    name: 'full-create',
    endpoint: REV_USERS_CREATE,
    summary: 'every documented request field, referencing the tenant fixtures',
    expected: CREATED,
    needs: ['revOrg', 'account', 'tag', 'artifact', 'tenantCustomFields'],
    prepare: (env) =>
      only(
        post(REV_USERS_CREATE, {
          account: fixture(env, 'account'),
          artifacts: [fixture(env, 'artifact')],
          custom_fields: fixture(env, 'tenantCustomFields'),
          custom_schema_spec: { tenant_fragment: true, validate_required_fields: false },
          description: 'created by the devrev-gate drift check',
          display_name: `devrev-gate ${env.runId}`,
          display_picture: fixture(env, 'artifact'),
          email: email(env, 'rev-full'),
          external_ref: ref(env, 'rev-full'),
          external_refs: [ref(env, 'rev-full-alt')],
          phone_numbers: ['+14155550123'],
          rev_org: fixture(env, 'revOrg'),
          tags: [{ id: fixture(env, 'tag'), value: 'drift' }],
        }),
      ),
  },
  {
    name: 'phone-not-e164',
    endpoint: REV_USERS_CREATE,
    summary: 'a phone number without "+" and country code',
    expected: { status: 400, basis: 'prose', why: 'phone numbers are documented "in E.164 format"' },
    violates: 'e164',
    prepare: (env) => only(post(REV_USERS_CREATE, { ...revMinimal(env, 'phone'), phone_numbers: ['415 555 0123'] })),
  },
  {
    name: 'custom-fields-without-spec',
    endpoint: REV_USERS_CREATE,
    summary: 'a tenant custom field without custom_schema_spec',
    expected: { status: 400, basis: 'prose', why: '"omission results in a Bad Request error" (custom_schema_spec)' },
    violates: 'custom-schema-spec',
    prepare: (env) =>
      only(post(REV_USERS_CREATE, { ...revMinimal(env, 'custom'), custom_fields: { tnt__drift_note: 'x' } })),
  },
  {
    name: 'wrong-json-type',
    endpoint: REV_USERS_CREATE,
    summary: 'display_name as a number',
    expected: { status: 400, basis: 'spec', why: 'display_name is a string; unexpected_json_type is a documented 400 type' },
    violates: 'wrong-json-type',
    prepare: (env) => only(post(REV_USERS_CREATE, { ...revMinimal(env, 'type'), display_name: 42 })),
  },
  {
    name: 'malformed-json',
    endpoint: REV_USERS_CREATE,
    summary: 'a body cut off in the middle of the JSON',
    expected: MALFORMED,
    violates: 'malformed-json',
    prepare: (env) => only({ path: REV_USERS_CREATE.path, rawBody: `{"external_ref": "${ref(env, 'rev-malformed')}"` }),
  },
  {
    name: 'no-token',
    endpoint: REV_USERS_CREATE,
    summary: 'a valid create without Authorization',
    expected: UNAUTHORIZED,
    prepare: (env) => only(post(REV_USERS_CREATE, revMinimal(env, 'no-token'), { auth: 'none' })),
  },
  {
    name: 'taken-external-ref',
    endpoint: REV_USERS_CREATE,
    summary: 'a second create with the external_ref of a rev user created just before',
    expected: {
      status: 409,
      basis: 'assumed',
      why: '409 is "creation conflicted with an existing object"; that a taken external_ref conflicts is our reading',
    },
    prepare: (env) => {
      const body = revMinimal(env, 'taken');
      return { setup: [{ kind: 'api', request: post(REV_USERS_CREATE, body) }], request: post(REV_USERS_CREATE, body) };
    },
  },
  ...simulatorCases(REV_USERS_CREATE, revMinimal),
];

const devMinimal = (env: CaseEnv, what: string) => ({ email: email(env, `dev-${what}`), state: 'shadow' });

export const DEV_USER_CASES: DriftCase[] = [
  {
    name: 'minimal-create',
    endpoint: DEV_USERS_CREATE,
    summary: 'email and state "shadow", the two required fields',
    expected: CREATED,
    prepare: (env) => only(post(DEV_USERS_CREATE, devMinimal(env, 'minimal'))),
  },
  {
    name: 'full-create',
    endpoint: DEV_USERS_CREATE,
    summary: 'every documented request field, referencing the tenant fixtures',
    expected: CREATED,
    needs: ['devUser', 'tenantCustomFields'],
    prepare: (env) =>
      only(
        post(DEV_USERS_CREATE, {
          ...devMinimal(env, 'full'),
          full_name: `devrev-gate ${env.runId}`,
          reports_to: fixture(env, 'devUser'),
          custom_fields: fixture(env, 'tenantCustomFields'),
          custom_schema_spec: { tenant_fragment: true, validate_required_fields: false },
        }),
      ),
  },
  {
    name: 'missing-email',
    endpoint: DEV_USERS_CREATE,
    summary: 'no email (required)',
    expected: { status: 400, basis: 'spec', why: 'email is required; missing_required_field is a documented 400 type' },
    violates: 'missing-required',
    prepare: (env) => only(post(DEV_USERS_CREATE, { state: 'shadow', full_name: `devrev-gate ${env.runId}` })),
  },
  {
    name: 'state-not-shadow',
    endpoint: DEV_USERS_CREATE,
    summary: 'state "active" (only "shadow" is allowed)',
    expected: { status: 400, basis: 'spec', why: 'state is an enum of one value, "shadow"' },
    violates: 'enum',
    prepare: (env) => only(post(DEV_USERS_CREATE, { ...devMinimal(env, 'state'), state: 'active' })),
  },
  {
    name: 'custom-fields-without-spec',
    endpoint: DEV_USERS_CREATE,
    summary: 'a tenant custom field without custom_schema_spec',
    expected: { status: 400, basis: 'prose', why: '"omission results in a Bad Request error" (custom_schema_spec)' },
    violates: 'custom-schema-spec',
    prepare: (env) =>
      only(post(DEV_USERS_CREATE, { ...devMinimal(env, 'custom'), custom_fields: { tnt__drift_note: 'x' } })),
  },
  {
    name: 'wrong-json-type',
    endpoint: DEV_USERS_CREATE,
    summary: 'full_name as a number',
    expected: { status: 400, basis: 'spec', why: 'full_name is a string; unexpected_json_type is a documented 400 type' },
    violates: 'wrong-json-type',
    prepare: (env) => only(post(DEV_USERS_CREATE, { ...devMinimal(env, 'type'), full_name: 42 })),
  },
  {
    name: 'malformed-json',
    endpoint: DEV_USERS_CREATE,
    summary: 'a body cut off in the middle of the JSON',
    expected: MALFORMED,
    violates: 'malformed-json',
    prepare: (env) =>
      only({ path: DEV_USERS_CREATE.path, rawBody: `{"email": "${email(env, 'dev-malformed')}", "state": "sha` }),
  },
  {
    name: 'no-token',
    endpoint: DEV_USERS_CREATE,
    summary: 'a valid create without Authorization',
    expected: UNAUTHORIZED,
    prepare: (env) => only(post(DEV_USERS_CREATE, devMinimal(env, 'no-token'), { auth: 'none' })),
  },
  ...simulatorCases(DEV_USERS_CREATE, devMinimal),
];

export const DRIFT_CASES: DriftCase[] = [...REV_USER_CASES, ...DEV_USER_CASES];

export const caseId = (c: DriftCase) => `drift.${c.endpoint.name}.${c.name}`;

/** Why a case cannot run against this target, or null when it can. */
export const skipReason = (c: DriftCase, env: CaseEnv): string | null => {
  if (env.simulator) return null;
  if (c.simulatorOnly) return 'needs the simulator\'s setup routes; the target cannot be set up this way';
  const missing = (c.needs ?? []).filter((n) => env.fixtures[n] === undefined);
  if (missing.length) return `needs tenant fixtures: ${missing.join(', ')} (devrev-gate.config.json)`;
  return null;
};
