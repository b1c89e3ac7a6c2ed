import type { BasisName } from '../../core/results.ts';
import type { ViolationKind } from '../prose-rules/request.ts';
import type { BodyOf, CaseRequest, FixtureName, RequestValues } from './request-values.ts';

/** A provider state a case needs before its request (set through the simulator or the target's states). */
export type CaseState = 'throttled' | 'read-only' | 'server-fault-500' | 'server-fault-503' | 'taken-unique';

/**
 * A documented case of one endpoint: the status the docs give for it, the basis (`spec` the
 * OpenAPI document says so, `prose` the docs' text says so, `assumed` the docs are silent)
 * with the reason, the rule its request breaks, the tenant records and the provider state it
 * needs, and its request, written once against the values port.
 */
export interface EndpointCase {
  name: string;
  status: number;
  basis: BasisName;
  /** Why this status and this basis, from the documents' own words. */
  why: string;
  /** What the request sends, in a few words. */
  summary: string;
  /** The spec or prose rule the request breaks (the request oracle confirms it before sending). */
  violates?: ViolationKind | 'malformed-json';
  /** Tenant records the request references; without them a real target cannot take it. */
  fixtures?: readonly FixtureName[];
  state?: CaseState;
  /**
   * How the contract names the case after `<endpoint> <status>` (`without a token`): the
   * Pact interaction's description, its key in the pact and at a broker, so it stays once
   * published. Absent: `for <summary>`.
   */
  describedAs?: string;
  /** Absent where the requests are generated (hostile bytes): properties make them. */
  request?: (v: RequestValues) => CaseRequest;
}

const CREATED = { status: 201, basis: 'spec', why: 'a valid create answers 201 with the user in its envelope' } as const;

/** A valid create of `body`; `why` only where the endpoint says more than CREATED does. */
export const created = (name: string, summary: string, body: BodyOf, extra: Partial<EndpointCase> = {}): EndpointCase => ({
  name,
  ...CREATED,
  summary,
  describedAs: `${name.replace(/-create$/, '')} request`,
  // `what` is the case without its suffix: run-tagged values read `<run>-rev-minimal`.
  request: (v) => ({ body: body(v, name.replace(/-create$/, '')) }),
  ...extra,
});

/** A request that breaks a documented rule: a 400. */
export const refused = (
  name: string,
  summary: string,
  basis: BasisName,
  why: string,
  violates: NonNullable<EndpointCase['violates']>,
  body: BodyOf,
  describedAs?: string,
): EndpointCase => ({ name, status: 400, basis, why, summary, violates, ...(describedAs ? { describedAs } : {}), request: (v) => ({ body: body(v, name) }) });

/** A tenant custom field no create's schema spec announces. */
const UNANNOUNCED_CUSTOM_FIELD = { tnt__devrev_gate_note: 'x' };

/**
 * The cases every create endpoint documents, whatever its fields: a valid request in a
 * provider state (throttled, read-only, failing), without a token, cut off, hostile, and
 * with custom fields but no custom_schema_spec. `minimal` is the endpoint's smallest valid body.
 */
export const everyCreate = (minimal: BodyOf): EndpointCase[] => {
  const valid =
    (name: string) =>
    (v: RequestValues): CaseRequest => ({ body: minimal(v, name) });
  return [
    refused(
      'custom-fields-without-spec',
      'a tenant custom field without custom_schema_spec',
      'prose',
      '"omission results in a Bad Request error" (custom_schema_spec)',
      'custom-schema-spec',
      (v, what) => ({ ...minimal(v, what), custom_fields: UNANNOUNCED_CUSTOM_FIELD }),
      'for custom_fields without custom_schema_spec',
    ),
    {
      name: 'malformed-json',
      status: 400,
      basis: 'spec',
      why: 'the request body must be JSON; parse_error is a documented 400 type',
      violates: 'malformed-json',
      summary: 'a body cut off in the middle of the JSON',
      request: (v) => ({ raw: JSON.stringify(minimal(v, 'malformed')).slice(0, -2) }),
    },
    {
      name: 'no-token',
      status: 401,
      basis: 'spec',
      why: 'the auth-token bearer scheme is global; a request without it is unauthenticated',
      summary: 'a valid create without Authorization',
      describedAs: 'without a token',
      request: (v) => ({ body: minimal(v, 'no-token'), auth: 'none' }),
    },
    // The docs are silent on raw bytes, invalid UTF-8, deep nesting and wrong content types;
    // a server error is never a documented answer to a request the client got wrong.
    {
      name: 'hostile-input',
      status: 400,
      basis: 'assumed',
      why: 'no documented answer to unparseable input is a 5xx; which 4xx it gets the docs do not say',
      summary: 'bytes no JSON parser takes, generated',
    },
    {
      name: 'throttled',
      status: 429,
      basis: 'prose',
      why: 'a throttled user gets 429 with Retry-After in seconds (rate-limits page)',
      summary: "a create from a user whose quota is spent; the 429 itself is checked",
      describedAs: 'with Retry-After and retry_after',
      state: 'throttled',
      request: valid('throttled'),
    },
    // Settled: the 403 is documented (spec) but no sentence says a read-only caller triggers it.
    {
      name: 'read-only-token',
      status: 403,
      basis: 'assumed',
      why: 'a caller without the privilege is forbidden; the document lists 403 but names no trigger',
      summary: 'a create with a read-only token',
      describedAs: 'for a read-only user',
      state: 'read-only',
      request: valid('read-only'),
    },
    {
      name: 'server-error',
      status: 500,
      basis: 'spec',
      why: 'the document lists 500 with the internal_error envelope (reference_id optional)',
      summary: 'a valid create while the provider fails',
      describedAs: 'with a reference_id',
      state: 'server-fault-500',
      request: valid('server-error'),
    },
    {
      name: 'unavailable',
      status: 503,
      basis: 'spec',
      why: 'the document lists 503 with the service_unavailable envelope',
      summary: 'a valid create while the provider is unavailable',
      describedAs: 'while unavailable',
      state: 'server-fault-503',
      request: valid('unavailable'),
    },
  ];
};

/** A field sent as a number where the document says string: a documented 400 type. */
export const wrongJsonType = (field: string, minimal: BodyOf): EndpointCase =>
  refused('wrong-json-type', `${field} as a number`, 'spec', `${field} is a string; unexpected_json_type is a documented 400 type`, 'wrong-json-type', (v, what) => ({
    ...minimal(v, what),
    [field]: 42,
  }));
