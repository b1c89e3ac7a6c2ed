import { MatchersV3 } from '@pact-foundation/pact';
import type { TSchema } from '@sinclair/typebox';
import type { CaseRequest, CaseState, CatalogueCase, FixtureName, RequestValues } from '../../api-model/cases/catalogue.ts';
import { catalogueCases } from '../../api-model/cases/catalogue.ts';
import { echoMismatches } from '../../api-model/cases/echo.ts';
import { SIMULATOR_STAND_INS } from '../../api-model/cases/stand-ins.ts';
import { type EndpointModel, endpointModel } from '../../api-model/endpoints/index.ts';
import type { EndpointSpec } from '../../api-model/shapes/endpoints.ts';
import { validate } from '../../api-model/shapes/validate.ts';
import { segmentsOf, valueAt } from '../../core/pointer.ts';
import { REDACTED } from '../../core/redact.ts';
import type { BasisName } from '../../core/results.ts';
import { matchersFrom, oneOfPattern, type Refine, refinePhones } from './matchers.ts';
import { CUSTOM_FIELD, FIXTURE_STATE_KEYS, STATES, type StateName } from './states.ts';

const { fromProviderState, regex } = MatchersV3;

/**
 * What an integrator's code does with DevRev's create endpoints, as Pact interactions: a
 * view of the case catalogue, every endpoint's cases. Each case the SDK can send becomes
 * one interaction: its request filled through the Pact values port (run-unique values and
 * tenant records arrive as provider-state expressions, `fromProviderState`), the states it
 * needs derived from what the port was asked for and the case's own state, what the client
 * relies on in the answer derived from the documented schema of the case's status, and what
 * the client then reads checked in `check`. Computed at call time, so an endpoint a test
 * adds is covered too; nothing here names an endpoint.
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

/** The endpoint an interaction is for: its model's documented shapes. */
export type ContractEndpoint = EndpointModel['spec'];

export interface ContractInteraction {
  /** Unique, stable: `<endpoint> <status> <case>`; the Pact description. */
  description: string;
  endpoint: ContractEndpoint;
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

const fromState = (key: string, example: unknown) => fromProviderState(`\${${key}}`, example as string);

// Examples only: the verification sends the provider-state values instead.
const EXAMPLE_NOW = '2025-10-16T09:30:00.000Z';
const EXAMPLE_ID = 'don:core:dvrv-us-1:devo/0:example/1';
const taggedExample = (format: 'email' | 'text', what: string) => (format === 'email' ? `devrev-gate+${what}@example.org` : `devrev-gate-${what}`);
/** The value the custom-field state returns in its example. */
const CUSTOM_FIELD_EXAMPLE = 'gold';

/** The provider state of each case state but a taken unique value (which the port places on its field). */
const CASE_STATES: Record<Exclude<CaseState, 'taken-unique'>, ProviderStateRef> = {
  throttled: { name: STATES.throttled },
  'read-only': { name: STATES.readOnly },
  'server-fault-500': { name: STATES.serverFault, params: { status: 500 } },
  'server-fault-503': { name: STATES.serverFault, params: { status: 503 } },
};

/**
 * The Pact values port: a tagged value is a provider-state expression with a run-unique
 * state of its own field (or, for the case whose state is a taken unique value, the state
 * that takes that field's value); a tenant record is an expression of the fixture state's
 * value (the custom-field state's for the tenant's custom fields); a text is an example.
 * It records the states the request needs, in the order they are set.
 */
const pactValues = (model: EndpointModel, c: CatalogueCase, description: string) => {
  const unique: ProviderStateRef[] = [];
  const tenant = new Set<StateName>();
  let taken: string | null = null;
  const values: RequestValues = {
    tagged(field, format, what) {
      if (c.state === 'taken-unique' && model.uniqueFields.includes(field) && (taken === null || taken === field)) {
        if (taken === null) unique.push({ name: STATES.uniqueTaken, params: { endpoint: model.spec.name, field, interaction: description } });
        taken = field;
      } else if (!unique.some((s) => s.name === STATES.runUnique && s.params?.['field'] === field)) {
        unique.push({ name: STATES.runUnique, params: { field, interaction: description } });
      }
      return fromState(field, taggedExample(format, what));
    },
    fixture(name: FixtureName) {
      if (name === 'tenantCustomFields') {
        tenant.add(STATES.customField);
        return { [CUSTOM_FIELD]: fromState('custom_field_value', CUSTOM_FIELD_EXAMPLE) };
      }
      tenant.add(STATES.tenantFixtures);
      return fromState(FIXTURE_STATE_KEYS[name], SIMULATOR_STAND_INS[name]);
    },
    text: (field) => `devrev-gate contract ${field.replace(/_/g, ' ')}`,
  };
  const states = (): ProviderStateRef[] => {
    if (c.state === 'taken-unique' && taken === null) {
      throw new Error(`${description}: its state is a taken unique value, but its request sends none of ${model.spec.name}'s unique fields (${model.uniqueFields.join(', ')})`);
    }
    const own = c.state && c.state !== 'taken-unique' ? [CASE_STATES[c.state]] : [];
    const fixtures = [STATES.tenantFixtures, STATES.customField].filter((s) => tenant.has(s)).map((name) => ({ name }));
    return [...unique, ...fixtures, ...own];
  };
  return { values, states };
};

/**
 * The cases that are contracts: what an integrator's code sends through the typed SDK, a JSON
 * body. A case whose bytes are generated (hostile input) or are not JSON (a cut-off body) is
 * not such a request, and neither is one with a field of the wrong JSON type: the SDK's
 * request types do not let its caller write it. Those cases are drift's and the properties'.
 */
const sdkCanSend = (c: CatalogueCase, sent: CaseRequest): sent is Extract<CaseRequest, { body: unknown }> =>
  !('raw' in sent) && c.violates !== 'wrong-json-type';

// --- Responses: examples and matchers from the documented schema of the case's status. ---

interface Node {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  format?: string;
  required?: string[];
  properties?: Record<string, Node>;
  items?: Node;
  oneOf?: Node[];
  discriminator?: { propertyName: string };
}

/** The variant of a discriminated union a value names, or its first one. */
const variantOf = (node: Node, value: Record<string, unknown>): Node => {
  const tag = node.discriminator!.propertyName;
  return node.oneOf!.find((v) => v.properties?.[tag]?.const === value[tag]) ?? node.oneOf![0]!;
};

/** `value` with every field the schema requires, recursively (examples for what it lacks). */
const withRequired = (node: Node, value: unknown): unknown => {
  if (node.oneOf && node.discriminator && value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    const variant = variantOf(node, v);
    const tag = node.discriminator.propertyName;
    return withRequired(variant, { [tag]: variant.properties?.[tag]?.const, ...v });
  }
  if (Array.isArray(value)) return value.map((x) => withRequired(node.items ?? {}, x));
  if (!node.properties || !value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  for (const k of node.required ?? []) if (out[k] === undefined && node.properties[k]) out[k] = exampleOf(node.properties[k]);
  for (const [k, v] of Object.entries(out)) if (node.properties[k]) out[k] = withRequired(node.properties[k], v);
  return out;
};

/** An example of a schema node: its constant, its first enum value, or one of its type. */
const exampleOf = (node: Node): unknown => {
  if (node.const !== undefined) return node.const;
  if (node.enum?.length) return node.enum[0];
  if (node.oneOf && node.discriminator) return withRequired(node, {});
  switch (node.type) {
    case 'string':
      return node.format === 'date-time' ? EXAMPLE_NOW : node.format === 'id' ? EXAMPLE_ID : 'devrev-gate example';
    case 'integer':
    case 'number':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [exampleOf(node.items ?? {})];
    default:
      return withRequired(node, {});
  }
};

/** Sets `value` at an RFC 6901 pointer, making the objects and arrays on the way. */
const setAt = (doc: Record<string, unknown>, pointer: string, value: unknown) => {
  const segments = segmentsOf(pointer);
  let cur: Record<string, unknown> = doc;
  segments.forEach((s, n) => {
    if (n === segments.length - 1) {
      cur[s] = value;
      return;
    }
    cur[s] ??= /^\d+$/.test(segments[n + 1]!) ? [] : {};
    cur = cur[s] as Record<string, unknown>;
  });
};

const schemaOf = (endpoint: EndpointSpec, status: number): TSchema => {
  const schema = (endpoint.responses as Record<number, TSchema>)[status];
  if (!schema) throw new Error(`${endpoint.name} documents no ${status}`);
  return schema;
};

/**
 * The created record as the client expects it: every echo field of the model the request
 * set, at its `answer` pointer, with the value sent, plus what the schema requires.
 */
const createdExample = (model: EndpointModel, sent: Record<string, unknown>): unknown => {
  const record: Record<string, unknown> = {};
  for (const e of model.echoed) {
    const s = valueAt(sent, e.sent);
    if (s !== undefined) setAt(record, e.answer, s);
  }
  const schema = schemaOf(model.spec, model.spec.successStatus) as Node;
  const recordSchema = schema.properties?.[model.spec.envelope] ?? {};
  for (const p of model.reads) if (valueAt(record, p) === undefined) setAt(record, p, exampleOf(nodeAt(recordSchema, p)));
  return withRequired(schema, { [model.spec.envelope]: record });
};

/** The schema node at a pointer of plain property names (a field the model says a client reads). */
const nodeAt = (node: Node, pointer: string): Node =>
  segmentsOf(pointer).reduce<Node>((n, s) => (n.oneOf ? n.oneOf[0]! : n).properties?.[s] ?? n.items ?? {}, node);

/** The discriminator of a documented error and the values it may take. */
const errorTypes = (schema: TSchema): { tag: string; values: string[]; example: string } => {
  const node = schema as Node;
  const tag = node.discriminator?.propertyName;
  if (!tag || !node.oneOf) throw new Error(`${String(schema.title)} is not a discriminated error`);
  const values = node.oneOf.map((v) => v.properties?.[tag]?.const as string);
  // The example is the variant that requires nothing but its tag: the most general one.
  const general = node.oneOf.find((v) => (v.required ?? []).every((r) => r === tag));
  return { tag, values, example: (general?.properties?.[tag]?.const as string | undefined) ?? values[0]! };
};

/**
 * The rate-limits page: a throttled caller gets 429 with Retry-After in whole seconds (and
 * the body's retry_after): what the client reads to wait.
 */
const THROTTLED_ANSWER = { headers: { 'Retry-After': regex('^[0-9]+$', '30') }, body: { retry_after: 30 } };

/** The answer holds what its documented schema says (an optional field, when there, as documented). */
const checkSchema = (what: string, schema: TSchema, data: unknown) => {
  const v = validate(schema, data);
  const e = v.errors[0];
  if (e) fail(`${what} at ${e.pointer || '/'}`, e.message, valueAt(data, e.pointer));
};

interface Answer {
  headers?: Record<string, unknown>;
  body: unknown;
  check(o: ClientOutcome, sent: Record<string, unknown>): void;
}

const createdAnswer = (model: EndpointModel, sent: Record<string, unknown>): Answer => {
  const spec = model.spec;
  const schema = schemaOf(spec, spec.successStatus);
  return {
    headers: { 'Content-Type': JSON_CONTENT_TYPE },
    body: matchersFrom(schema, createdExample(model, sent), refinePhones),
    check: (o, request) => {
      const record = valueAt(o.data, `/${spec.envelope}`);
      if (typeof valueAt(record, '/id') !== 'string') fail(`${spec.envelope}.id`, 'a string', valueAt(record, '/id'));
      checkSchema('the created record', schema, o.data);
      for (const p of model.reads) if (valueAt(record, p) === undefined) fail(`${spec.envelope}${p}`, 'present (the client reads it)', undefined);
      for (const m of echoMismatches(spec.name, request, record)) fail(`${spec.envelope}${m.echo.answer}`, m.sent, m.got);
    },
  };
};

const errorAnswer = (spec: EndpointSpec, c: CatalogueCase): Answer => {
  const schema = schemaOf(spec, c.status);
  const { tag, values, example } = errorTypes(schema);
  const throttled = c.state === 'throttled';
  // Several documented types (a 400): the docs never say which one a breach gets, so the
  // contract accepts any of them.
  const anyType: Refine | undefined =
    values.length > 1 ? (pointer, ex) => (pointer === `/${tag}` ? regex(oneOfPattern(values), String(ex)) : undefined) : undefined;
  return {
    ...(throttled ? { headers: THROTTLED_ANSWER.headers } : {}),
    body: matchersFrom(schema, { [tag]: example, ...(throttled ? THROTTLED_ANSWER.body : {}) }, anyType),
    check: (o) => {
      const got = valueAt(o.data, `/${tag}`);
      if (!values.includes(got as string)) fail(`the error ${tag}`, values.length > 1 ? `one of ${values.length} documented types` : example, got);
      // Optional documented fields (a 500's reference_id) are read only when there, as documented.
      checkSchema('the error', schema, o.data);
      if (throttled) {
        const header = o.headers['retry-after'];
        if (!/^[0-9]+$/.test(header ?? '')) fail('the Retry-After header', 'whole seconds', header);
        if (!Number.isInteger(valueAt(o.data, '/retry_after'))) fail('retry_after', 'an integer', valueAt(o.data, '/retry_after'));
      }
    },
  };
};

const toInteraction = (c: CatalogueCase): ContractInteraction | null => {
  const model = endpointModel(c.endpoint);
  if (!model || !c.request) return null;
  const spec = model.spec;
  const description = `${spec.name} ${c.status} ${c.describedAs ?? `for ${c.summary}`}`;
  const port = pactValues(model, c, description);
  const request = c.request(port.values);
  if (!sdkCanSend(c, request)) return null;
  const sent = MatchersV3.reify(request.body) as Record<string, unknown>;
  const answer = c.status === spec.successStatus ? createdAnswer(model, sent) : errorAnswer(spec, c);
  return {
    description,
    endpoint: spec,
    caseName: c.name,
    status: c.status,
    basis: c.basis,
    states: port.states(),
    authenticated: request.auth !== 'none',
    body: request.body,
    ...(answer.headers ? { responseHeaders: answer.headers } : {}),
    responseBody: answer.body,
    check: answer.check,
  };
};

/** Every interaction, endpoint by endpoint in the catalogue's order; descriptions are unique. */
export const interactions = (): ContractInteraction[] => {
  const all = catalogueCases().flatMap((c) => toInteraction(c) ?? []);
  const seen = new Set<string>();
  for (const i of all) {
    if (seen.has(i.description)) throw new Error(`two interactions are described "${i.description}": a pact keys them by description`);
    seen.add(i.description);
  }
  return all;
};

/** The statuses the interactions cover for an endpoint (the self-test compares with the docs). */
export const coveredStatuses = (endpoint: Pick<EndpointSpec, 'name'>, of: readonly ContractInteraction[] = interactions()): number[] =>
  [...new Set(of.filter((i) => i.endpoint.name === endpoint.name).map((i) => i.status))].sort((a, b) => a - b);
