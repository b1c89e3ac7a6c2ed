import { MatchersV3 } from '@pact-foundation/pact';
import { REDACTED } from '../../core/redact.ts';
import type { BasisName } from '../../core/results.ts';
import { catalogueCase } from '../../api-model/cases/catalogue.ts';
import { echoMismatches } from '../../api-model/cases/echo.ts';
import { SIMULATOR_PICTURE, SIMULATOR_STAND_INS } from '../../api-model/cases/stand-ins.ts';
import { BAD_REQUEST_TYPES } from '../../api-model/shapes/errors.ts';
import {
  type CreateEndpoint,
  DEV_USERS_CREATE,
  REV_USERS_CREATE,
} from '../../api-model/shapes/endpoints.ts';
import { badRequestType, matchersFrom, refineBadRequestType, refinePhones } from './matchers.ts';
import { CUSTOM_FIELD, STATES, type StateName } from './states.ts';

const { fromProviderState, regex } = MatchersV3;

/**
 * What an integrator's code does with DevRev's create endpoints, as Pact interactions:
 * the request it sends through the official SDK, what it relies on in the answer (matchers
 * derived from the documented shapes), and what the client then reads, asserted in
 * `check`. One list serves the vitest suite, the CLI and the verification.
 */

/** What the SDK call gave the client: its status, parsed body and headers. */
export interface ClientOutcome {
  status: number;
  data: unknown;
  headers: Record<string, string>;
}

export interface ProviderStateRef {
  name: StateName;
  params?: Record<string, string | number | boolean>;
}

export interface ContractInteraction {
  /** Unique, stable: `<endpoint> <status> <case>`; the Pact description. */
  description: string;
  endpoint: CreateEndpoint;
  /** The catalogue case this interaction is a view of; status and basis come from it. */
  caseName: string;
  status: number;
  basis: BasisName;
  states: ProviderStateRef[];
  /** False for the 401 case: the client is built without a token. */
  authenticated: boolean;
  /** Request body; `fromProviderState` values are sent as their examples by the consumer. */
  body: Record<string, unknown>;
  responseHeaders?: Record<string, unknown>;
  /** Matcher tree of what the client relies on; derived from the schemas. */
  responseBody: unknown;
  /** Asserts what the client reads; throws an Error naming what is wrong. */
  check(outcome: ClientOutcome, sent: Record<string, unknown>): void;
}

/**
 * The token the consumer sends to the mock server; verification replaces it with the real
 * one. It is the redaction marker itself, so the pact file shows a secret-named header the
 * way every other artifact does.
 */
export const CONSUMER_TOKEN = REDACTED;
export const AUTHORIZATION_MATCHER = regex('^(Bearer )?\\S+$', CONSUMER_TOKEN);
export const JSON_CONTENT_TYPE = regex('^application/json(\\s*;.*)?$', 'application/json');

const fail = (what: string, expected: unknown, actual: unknown): never => {
  throw new Error(`client read ${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
};
const expectEq = (what: string, actual: unknown, expected: unknown) => {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) fail(what, expected, actual);
};
const field = (v: unknown, ...path: Array<string | number>): unknown => {
  let cur = v;
  for (const k of path) cur = cur && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[k] : undefined;
  return cur;
};

const unique = (field: 'external_ref' | 'email' | 'display_name', description: string): ProviderStateRef => ({
  name: STATES.runUnique,
  params: { field, interaction: description },
});
const fromState = (key: string, example: string) => fromProviderState(`\${${key}}`, example);

// Examples only: the verification sends the provider-state values instead. Only fields the
// document requires or the client reads appear: each key of an example becomes a matcher the
// provider must satisfy (display_id, reference_id are optional in the document).
const EX = {
  revId: 'don:identity:dvrv-us-1:devo/0:revu/7Hq2xY1a',
  devId: 'don:identity:dvrv-us-1:devo/0:devu/42',
  now: '2025-10-16T09:30:00.000Z',
  ref: 'devrev-gate-example-ref',
  email: 'devrev-gate+example@example.org',
  revOrg: SIMULATOR_STAND_INS.revOrg,
  account: SIMULATOR_STAND_INS.account,
  tag: SIMULATOR_STAND_INS.tag,
  artifact: SIMULATOR_STAND_INS.artifact,
  picture: SIMULATOR_PICTURE,
  devUser: SIMULATOR_STAND_INS.devUser,
  phone: '+14155550123',
};

const CUSTOM_SPEC = { tenant_fragment: true, validate_required_fields: true };

/** A response matcher tree for `status` of `endpoint`, derived from its documented schema. */
const documented = (endpoint: CreateEndpoint, status: number, example: unknown) => {
  const schema = (endpoint.responses as Record<number, import('@sinclair/typebox').TSchema>)[status];
  if (!schema) throw new Error(`${endpoint.name} documents no ${status}`);
  return matchersFrom(schema, example, status === 400 ? refineBadRequestType : refinePhones);
};

/** Status and basis of the catalogue case `name`: written once, in the catalogue. */
const ofCase = (endpoint: CreateEndpoint, name: string) => {
  const c = catalogueCase(endpoint.name, name);
  return { caseName: name, status: c.status, basis: c.basis };
};

const errorType = (expected: string) => (o: ClientOutcome) => expectEq('the error type', field(o.data, 'type'), expected);

/** The 400 checks accept any documented 400 type: the docs never say which one a breach gets. */
const anyBadRequest = (o: ClientOutcome) => {
  const t = field(o.data, 'type');
  if (!(BAD_REQUEST_TYPES as readonly unknown[]).includes(t)) fail('the 400 type', `one of ${BAD_REQUEST_TYPES.length} documented types`, t);
};

/** Statuses every create documents, whatever the request: 401, 403, 429, 500, 503. */
const commonErrors = (endpoint: CreateEndpoint, body: () => Record<string, unknown>): ContractInteraction[] => [
  {
    description: `${endpoint.name} 401 without a token`,
    endpoint,
    ...ofCase(endpoint, 'no-token'),
    states: [],
    authenticated: false,
    body: body(),
    responseBody: documented(endpoint, 401, { type: 'unauthenticated' }),
    check: errorType('unauthenticated'),
  },
  {
    description: `${endpoint.name} 403 for a read-only user`,
    endpoint,
    ...ofCase(endpoint, 'read-only-token'),
    states: [{ name: STATES.readOnly }],
    authenticated: true,
    body: body(),
    responseBody: documented(endpoint, 403, { type: 'forbidden' }),
    check: errorType('forbidden'),
  },
  {
    description: `${endpoint.name} 429 with Retry-After and retry_after`,
    endpoint,
    ...ofCase(endpoint, 'throttled'),
    states: [{ name: STATES.throttled }],
    authenticated: true,
    body: body(),
    responseHeaders: { 'Retry-After': regex('^[0-9]+$', '30') },
    responseBody: documented(endpoint, 429, { type: 'too_many_requests', retry_after: 30 }),
    check: (o) => {
      errorType('too_many_requests')(o);
      const header = o.headers['retry-after'];
      if (!/^[0-9]+$/.test(header ?? '')) fail('the Retry-After header', 'whole seconds', header);
      if (!Number.isInteger(field(o.data, 'retry_after'))) fail('retry_after', 'an integer', field(o.data, 'retry_after'));
    },
  },
  {
    description: `${endpoint.name} 500 with a reference_id`,
    endpoint,
    ...ofCase(endpoint, 'server-error'),
    states: [{ name: STATES.serverFault, params: { status: 500 } }],
    authenticated: true,
    body: body(),
    // reference_id is optional in the document: the contract does not require it, and
    // the client reads it only when it is there.
    responseBody: documented(endpoint, 500, { type: 'internal_error' }),
    check: (o) => {
      errorType('internal_error')(o);
      const ref = field(o.data, 'reference_id');
      if (ref !== undefined && typeof ref !== 'string') fail('reference_id', 'a string when present', ref);
    },
  },
  {
    description: `${endpoint.name} 503 while unavailable`,
    endpoint,
    ...ofCase(endpoint, 'unavailable'),
    states: [{ name: STATES.serverFault, params: { status: 503 } }],
    authenticated: true,
    body: body(),
    responseBody: documented(endpoint, 503, { type: 'service_unavailable' }),
    check: errorType('service_unavailable'),
  },
];

const badRequest = (
  endpoint: CreateEndpoint,
  what: string,
  caseName: string,
  states: ProviderStateRef[],
  body: Record<string, unknown>,
): ContractInteraction => ({
  description: `${endpoint.name} 400 for ${what}`,
  endpoint,
  ...ofCase(endpoint, caseName),
  states,
  authenticated: true,
  body,
  // The example's type is one the docs allow; the matcher accepts every documented one.
  responseBody: { type: badRequestType('bad_request') },
  check: anyBadRequest,
});

/** The catalogue's echo fields the request set, as the client reads them back. */
const echoed = (endpoint: CreateEndpoint, user: unknown, sent: Record<string, unknown>) => {
  for (const m of echoMismatches(endpoint.name, sent, user)) fail(`${endpoint.envelope}${m.echo.answer}`, m.sent, m.got);
};

const revUserEcho = (o: ClientOutcome) => {
  const user = field(o.data, 'rev_user');
  if (typeof field(user, 'id') !== 'string') fail('rev_user.id', 'a string', field(user, 'id'));
  return user;
};

const revInteractions = (): ContractInteraction[] => {
  const e = REV_USERS_CREATE;
  const full = `${e.name} 201 full request`;
  const conflict = `${e.name} 409 for a taken external_ref`;
  const minimal = `${e.name} 201 minimal request`;
  return [
    {
      // Every field is optional; the one sent carries the run id, so a user created on a
      // real tenant can be found and removed.
      description: minimal,
      endpoint: e,
      ...ofCase(e, 'minimal-create'),
      states: [unique('display_name', minimal)],
      authenticated: true,
      body: { display_name: fromState('display_name', 'devrev-gate minimal rev user') },
      responseHeaders: { 'Content-Type': JSON_CONTENT_TYPE },
      responseBody: documented(e, 201, {
        rev_user: { id: EX.revId, created_date: EX.now, state: 'active' },
      }),
      check: (o) => {
        revUserEcho(o);
        if (Number.isNaN(Date.parse(String(field(o.data, 'rev_user', 'created_date'))))) fail('created_date', 'a date-time', field(o.data, 'rev_user', 'created_date'));
      },
    },
    {
      description: full,
      endpoint: e,
      ...ofCase(e, 'full-create'),
      states: [unique('external_ref', full), { name: STATES.tenantFixtures }, { name: STATES.customField }],
      authenticated: true,
      body: {
        account: fromState('account', EX.account),
        artifacts: [fromState('artifact', EX.artifact)],
        custom_fields: { [CUSTOM_FIELD]: fromState('custom_field_value', 'gold') },
        custom_schema_spec: CUSTOM_SPEC,
        description: 'created by devrev-gate contract tests',
        display_name: 'devrev-gate full rev user',
        display_picture: fromState('display_picture', EX.picture),
        email: 'devrev-gate-rev@example.org',
        external_ref: fromState('external_ref', EX.ref),
        external_refs: [fromState('external_ref', EX.ref)],
        phone_numbers: [EX.phone],
        rev_org: fromState('rev_org', EX.revOrg),
        tags: [{ id: fromState('tag', EX.tag), value: 'vip' }],
      },
      responseHeaders: { 'Content-Type': JSON_CONTENT_TYPE },
      responseBody: documented(e, 201, {
        rev_user: {
          id: EX.revId,
          description: 'created by devrev-gate contract tests',
          display_name: 'devrev-gate full rev user',
          email: 'devrev-gate-rev@example.org',
          external_ref: EX.ref,
          phone_numbers: [EX.phone],
          custom_fields: { [CUSTOM_FIELD]: 'gold' },
          tags: [{ tag: { id: EX.tag }, value: 'vip' }],
          artifacts: [{ id: EX.artifact }],
        },
      }),
      check: (o, sent) => echoed(e, revUserEcho(o), sent),
    },
    badRequest(e, 'custom_fields without custom_schema_spec', 'custom-fields-without-spec', [], { custom_fields: { [CUSTOM_FIELD]: 'gold' } }),
    badRequest(e, 'a phone number that is not E.164', 'phone-not-e164', [], { phone_numbers: ['415-555-0123'] }),
    {
      description: conflict,
      endpoint: e,
      ...ofCase(e, 'taken-external-ref'),
      states: [{ name: STATES.refTaken, params: { prefix: 'taken', interaction: conflict } }],
      authenticated: true,
      body: { external_ref: fromState('external_ref', EX.ref) },
      responseBody: documented(e, 409, { type: 'conflict' }),
      check: errorType('conflict'),
    },
    ...commonErrors(e, () => ({})),
  ];
};

const devInteractions = (): ContractInteraction[] => {
  const e = DEV_USERS_CREATE;
  const minimal = `${e.name} 201 minimal request`;
  const full = `${e.name} 201 full request`;
  const badState = `${e.name} 400 for a state other than shadow`;
  const body = () => ({ email: fromState('email', EX.email), state: 'shadow' });
  return [
    {
      description: minimal,
      endpoint: e,
      ...ofCase(e, 'minimal-create'),
      states: [unique('email', minimal)],
      authenticated: true,
      body: body(),
      responseHeaders: { 'Content-Type': JSON_CONTENT_TYPE },
      responseBody: documented(e, 201, {
        dev_user: { id: EX.devId, email: EX.email, state: 'shadow', created_date: EX.now },
      }),
      check: (o, sent) => {
        if (typeof field(o.data, 'dev_user', 'id') !== 'string') fail('dev_user.id', 'a string', field(o.data, 'dev_user', 'id'));
        echoed(e, field(o.data, 'dev_user'), sent);
      },
    },
    {
      description: full,
      endpoint: e,
      ...ofCase(e, 'full-create'),
      states: [unique('email', full), { name: STATES.tenantFixtures }, { name: STATES.customField }],
      authenticated: true,
      body: {
        ...body(),
        full_name: 'Devrev Gate',
        reports_to: fromState('dev_user', EX.devUser),
        custom_fields: { [CUSTOM_FIELD]: fromState('custom_field_value', 'gold') },
        custom_schema_spec: CUSTOM_SPEC,
      },
      responseHeaders: { 'Content-Type': JSON_CONTENT_TYPE },
      responseBody: documented(e, 201, {
        dev_user: {
          id: EX.devId,
          email: EX.email,
          full_name: 'Devrev Gate',
          state: 'shadow',
          reports_to: { type: 'dev_user', id: EX.devUser },
          custom_fields: { [CUSTOM_FIELD]: 'gold' },
        },
      }),
      check: (o, sent) => echoed(e, field(o.data, 'dev_user'), sent),
    },
    badRequest(e, 'custom_fields without custom_schema_spec', 'custom-fields-without-spec', [unique('email', `${e.name} 400 custom fields`)], {
      ...body(),
      custom_fields: { [CUSTOM_FIELD]: 'gold' },
    }),
    badRequest(e, 'a missing email', 'missing-email', [], { state: 'shadow' }),
    badRequest(e, 'a state other than shadow', 'state-not-shadow', [unique('email', badState)], { email: fromState('email', EX.email), state: 'active' }),
    ...commonErrors(e, () => ({ email: 'devrev-gate+never-created@example.org', state: 'shadow' })),
  ];
};

/** Every interaction, rev users first; descriptions are unique. */
export const INTERACTIONS: readonly ContractInteraction[] = [...revInteractions(), ...devInteractions()];

/** The statuses the interactions cover for an endpoint (the self-test compares with the docs). */
export const coveredStatuses = (endpoint: CreateEndpoint): number[] =>
  [...new Set(INTERACTIONS.filter((i) => i.endpoint === endpoint).map((i) => i.status))].sort((a, b) => a - b);

