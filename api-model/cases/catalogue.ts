import type { BasisName } from '../../core/results.ts';
import type { Fixtures } from '../../core/run-context.ts';
import type { ViolationKind } from '../prose-rules/request.ts';
import type { CreateEndpointName } from '../shapes/endpoints.ts';

/**
 * The one case catalogue: every documented case of the two creates, written once. Each
 * case gives the status the docs give for it, the basis (`spec` the OpenAPI document says
 * so, `prose` the docs' text says so, `assumed` the docs are silent) with the reason, the
 * rule the request breaks, the tenant records it needs and the provider state it needs.
 * Pact interactions, the drift request set and the property classes are views of it: each
 * names its catalogue case and takes status and basis from here (test/api-model/cases.test.ts
 * fails when a pillar carries a case or basis the catalogue lacks).
 */
export type FixtureName = Exclude<keyof Fixtures, 'subtype'>;

/** A provider state a case needs before its request (set through the simulator or the target's states). */
export type CaseState = 'throttled' | 'read-only' | 'server-fault-500' | 'server-fault-503' | 'ref-taken';

export interface CatalogueCase {
  endpoint: CreateEndpointName;
  name: string;
  status: number;
  basis: BasisName;
  /** Why this status and this basis, from the documents' own words. */
  why: string;
  /** The spec or prose rule the request breaks (the request oracle confirms it before sending). */
  violates?: ViolationKind | 'malformed-json';
  /** Tenant records the request references; without them a real target cannot take it. */
  fixtures?: readonly FixtureName[];
  state?: CaseState;
}

const CREATED = { status: 201, basis: 'spec', why: 'a valid create answers 201 with the user in its envelope' } as const;
const UNAUTHORIZED = {
  status: 401,
  basis: 'spec',
  why: 'the auth-token bearer scheme is global; a request without it is unauthenticated',
} as const;
const MALFORMED = {
  status: 400,
  basis: 'spec',
  why: 'the request body must be JSON; parse_error is a documented 400 type',
  violates: 'malformed-json',
} as const;
const CUSTOM_WITHOUT_SPEC = {
  status: 400,
  basis: 'prose',
  why: '"omission results in a Bad Request error" (custom_schema_spec)',
  violates: 'custom-schema-spec',
} as const;
// Settled: the 403 is documented (spec) but no sentence says a read-only caller triggers it.
const READ_ONLY = {
  status: 403,
  basis: 'assumed',
  why: 'a caller without the privilege is forbidden; the document lists 403 but names no trigger',
  state: 'read-only',
} as const;
const THROTTLED = {
  status: 429,
  basis: 'prose',
  why: 'a throttled user gets 429 with Retry-After in seconds (rate-limits page)',
  state: 'throttled',
} as const;
const SERVER_500 = {
  status: 500,
  basis: 'spec',
  why: 'the document lists 500 with the internal_error envelope (reference_id optional)',
  state: 'server-fault-500',
} as const;
// The docs are silent on raw bytes, invalid UTF-8, deep nesting and wrong content types;
// a server error is never a documented answer to a request the client got wrong.
const HOSTILE = {
  status: 400,
  basis: 'assumed',
  why: 'no documented answer to unparseable input is a 5xx; which 4xx it gets the docs do not say',
} as const;
const SERVER_503 = {
  status: 503,
  basis: 'spec',
  why: 'the document lists 503 with the service_unavailable envelope',
  state: 'server-fault-503',
} as const;

/** Fields a create carries that reference no tenant record: every target can take them. */
export const FIXTURE_FREE_FIELDS = {
  'rev-users.create': ['description', 'display_name', 'email', 'external_ref', 'external_refs', 'phone_numbers'],
  'dev-users.create': ['email', 'full_name', 'state'],
} as const satisfies Record<CreateEndpointName, readonly string[]>;

const REV = 'rev-users.create';
const DEV = 'dev-users.create';

export const CASES: readonly CatalogueCase[] = [
  { endpoint: REV, name: 'minimal-create', ...CREATED, why: 'every rev user field is optional; a valid create answers 201' },
  {
    endpoint: REV,
    name: 'fields-create',
    ...CREATED,
    why: 'every field that references no tenant record (phone numbers, e-mail, description, display name, external refs)',
  },
  { endpoint: REV, name: 'full-create', ...CREATED, fixtures: ['revOrg', 'account', 'tag', 'artifact', 'tenantCustomFields'] },
  {
    endpoint: REV,
    name: 'phone-not-e164',
    status: 400,
    basis: 'prose',
    why: 'phone numbers are documented "in E.164 format"; which 400 type it gets is not documented',
    violates: 'e164',
  },
  { endpoint: REV, name: 'custom-fields-without-spec', ...CUSTOM_WITHOUT_SPEC },
  {
    endpoint: REV,
    name: 'wrong-json-type',
    status: 400,
    basis: 'spec',
    why: 'display_name is a string; unexpected_json_type is a documented 400 type',
    violates: 'wrong-json-type',
  },
  { endpoint: REV, name: 'malformed-json', ...MALFORMED },
  { endpoint: REV, name: 'no-token', ...UNAUTHORIZED },
  {
    endpoint: REV,
    name: 'taken-external-ref',
    status: 409,
    basis: 'assumed',
    why: '409 is "creation conflicted with an existing object"; that a taken external_ref conflicts is our reading',
    state: 'ref-taken',
  },
  { endpoint: REV, name: 'hostile-input', ...HOSTILE },
  { endpoint: REV, name: 'throttled', ...THROTTLED },
  { endpoint: REV, name: 'read-only-token', ...READ_ONLY },
  { endpoint: REV, name: 'server-error', ...SERVER_500 },
  { endpoint: REV, name: 'unavailable', ...SERVER_503 },

  { endpoint: DEV, name: 'minimal-create', ...CREATED, why: 'email and state "shadow" are the two required fields' },
  { endpoint: DEV, name: 'fields-create', ...CREATED, why: 'every field that references no tenant record (e-mail, state, full name)' },
  { endpoint: DEV, name: 'full-create', ...CREATED, fixtures: ['devUser', 'tenantCustomFields'] },
  {
    endpoint: DEV,
    name: 'missing-email',
    status: 400,
    basis: 'spec',
    why: 'the document lists email as required; missing_required_field is a documented 400 type',
    violates: 'missing-required',
  },
  {
    endpoint: DEV,
    name: 'state-not-shadow',
    status: 400,
    basis: 'spec',
    why: 'state is a documented enum of one value, "shadow"',
    violates: 'enum',
  },
  { endpoint: DEV, name: 'custom-fields-without-spec', ...CUSTOM_WITHOUT_SPEC },
  {
    endpoint: DEV,
    name: 'wrong-json-type',
    status: 400,
    basis: 'spec',
    why: 'full_name is a string; unexpected_json_type is a documented 400 type',
    violates: 'wrong-json-type',
  },
  { endpoint: DEV, name: 'malformed-json', ...MALFORMED },
  { endpoint: DEV, name: 'no-token', ...UNAUTHORIZED },
  { endpoint: DEV, name: 'hostile-input', ...HOSTILE },
  { endpoint: DEV, name: 'throttled', ...THROTTLED },
  { endpoint: DEV, name: 'read-only-token', ...READ_ONLY },
  { endpoint: DEV, name: 'server-error', ...SERVER_500 },
  { endpoint: DEV, name: 'unavailable', ...SERVER_503 },
];

export const caseKey = (c: Pick<CatalogueCase, 'endpoint' | 'name'>): string => `${c.endpoint}/${c.name}`;

/** The catalogue case a pillar's view names; a name the catalogue lacks is a bug caught at load. */
export const catalogueCase = (endpoint: CreateEndpointName, name: string): CatalogueCase => {
  const c = CASES.find((x) => x.endpoint === endpoint && x.name === name);
  if (!c) throw new Error(`the case catalogue has no ${endpoint} ${name}`);
  return c;
};

/** The one basis of a view that covers several catalogue cases; cases that disagree are a bug. */
export const basisOfCases = (keys: readonly string[]): BasisName => {
  const bases = new Set(
    keys.map((k) => {
      const [endpoint, name] = k.split('/') as [CreateEndpointName, string];
      return catalogueCase(endpoint, name).basis;
    }),
  );
  if (bases.size !== 1) throw new Error(`catalogue cases ${keys.join(', ')} have different bases: ${[...bases].join(', ')}`);
  return [...bases][0]!;
};

/**
 * What a 201 is compared with: fields the request set and the created user should hold.
 * Settled: `assumed` — no sentence of the docs promises the echo; DevRev's own example
 * echoes them. `answer` is where the user holds a field the request sets differently (a
 * tag's id sits under `tag`, `reports_to` becomes a user summary).
 */
export interface EchoField {
  field: string;
  /** RFC 6901 pointer into the request body. */
  sent: string;
  /** RFC 6901 pointer into the created user. */
  answer: string;
}

const plain = (field: string): EchoField => ({ field, sent: `/${field}`, answer: `/${field}` });

export const ECHO_BASIS: BasisName = 'assumed';

export const ECHOED_FIELDS = {
  'rev-users.create': [
    plain('display_name'),
    plain('description'),
    plain('email'),
    plain('external_ref'),
    plain('phone_numbers'),
    plain('custom_fields'),
    { field: 'tags', sent: '/tags/0/id', answer: '/tags/0/tag/id' },
  ],
  'dev-users.create': [
    plain('email'),
    plain('full_name'),
    plain('custom_fields'),
    { field: 'reports_to', sent: '/reports_to', answer: '/reports_to/id' },
  ],
} as const satisfies Record<CreateEndpointName, readonly EchoField[]>;
