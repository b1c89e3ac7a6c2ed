import type { TSchema } from '@sinclair/typebox';
import type { FixtureName, RequestValues } from '../api-model/cases/request-values.ts';
import { SIMULATOR_STAND_INS } from '../api-model/cases/stand-ins.ts';
import { type EndpointModel, endpointModel, endpointModels } from '../api-model/endpoints/index.ts';
import { checkRequest, type ViolationKind } from '../api-model/prose-rules/request.ts';
import { escapeSegment } from '../core/pointer.ts';

/**
 * What the properties read from the endpoint models, computed at call time so an endpoint a
 * test adds is covered like the pinned ones. Nothing here names an endpoint or a field:
 *
 * - the request schema (the slice's) gives the fields, their JSON types, the required ones
 *   and the enums;
 * - the catalogue's `minimal-create`, `fields-create` and `full-create` requests, filled with a port that
 *   leaves a mark where each value goes, tell how each field is filled: a run-tagged value
 *   (an e-mail or a text), a free text, or a tenant record (which fixture);
 * - the catalogue's prose cases, judged by the rules module, tell which field holds E.164
 *   phone numbers and which holds custom fields (the field the rule finds broken).
 */
export type Schema = TSchema & {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  title?: string;
};

/** How a case of the catalogue fills a value: what the values port was asked for. */
export type FillKind = { kind: 'tagged'; format: 'email' | 'text' } | { kind: 'text' } | { kind: 'fixture'; name: FixtureName };

export interface EnumField {
  field: string;
  values: string[];
  /** The enum the 201 gives the same field, when it documents more values (`user-state`). */
  answer: { title: string; values: string[] } | null;
}

export interface EndpointView {
  model: EndpointModel;
  name: string;
  prefix: string;
  schema: Schema;
  fields: Record<string, Schema>;
  required: string[];
  /** Pointer patterns (array indices as `*`) to how the catalogue fills them. */
  fills: Map<string, FillKind>;
  enums: EnumField[];
  /** Fields that hold E.164 phone numbers (the prose rule finds them in the catalogue's e164 case). */
  e164Fields: string[];
  /** Fields that hold custom fields (the prose rule on custom_schema_spec finds them). */
  customFieldFields: string[];
  /** The catalogue's cases whose request breaks a rule: the rule, and the fields the rules module finds it broken at. */
  breaking: Array<{ key: string; rule: ViolationKind | 'malformed-json'; fields: string[] }>;
  /** Catalogue case keys in the provider state where the endpoint's own unique field is taken. */
  takenUniqueCases: string[];
}

const MARK = '\u0000dg-fill:';

const markingValues = (): RequestValues => ({
  tagged: (_field, format) => `${MARK}tagged:${format}`,
  fixture: (name) => `${MARK}fixture:${name}`,
  text: () => `${MARK}text`,
});

const fillOf = (mark: string): FillKind | null => {
  if (!mark.startsWith(MARK)) return null;
  const [kind, arg] = mark.slice(MARK.length).split(':') as [string, string | undefined];
  if (kind === 'tagged') return { kind: 'tagged', format: arg === 'email' ? 'email' : 'text' };
  if (kind === 'fixture') return { kind: 'fixture', name: arg as FixtureName };
  return { kind: 'text' };
};

/** Every marked value in `body`, by pointer pattern (array indices as `*`). */
const collectFills = (body: unknown, at: string, out: Map<string, FillKind>): void => {
  if (typeof body === 'string') {
    const f = fillOf(body);
    if (f) out.set(at, f);
  } else if (Array.isArray(body)) {
    for (const item of body) collectFills(item, `${at}/*`, out);
  } else if (body !== null && typeof body === 'object') {
    for (const [k, v] of Object.entries(body)) collectFills(v, `${at}/${escapeSegment(k)}`, out);
  }
};

const caseBody = (m: EndpointModel, name: string, values: RequestValues): Record<string, unknown> | null => {
  const req = m.cases.find((c) => c.name === name)?.request?.(values);
  return req && 'body' in req ? req.body : null;
};

/** Plain values for judging a catalogue request with the rules module. */
const probeValues: RequestValues = {
  tagged: (_f, format, what) => (format === 'email' ? `dgprobe-${what}@example.com` : `dgprobe-${what}`),
  fixture: (name) => SIMULATOR_STAND_INS[name],
  text: () => 'devrev-gate probe',
};

const answerEnum = (m: EndpointModel, field: string): EnumField['answer'] => {
  const envelope = m.spec.envelope;
  const created = (m.spec.responses as Record<number, Schema>)[m.spec.successStatus];
  const s = envelope ? created?.properties?.[envelope]?.properties?.[field] : undefined;
  if (!s?.enum || !s.title) return null;
  return { title: s.title, values: s.enum.map(String) };
};

// A model is fixed once written (a test adds a new one rather than changing one): its view is kept.
const views = new WeakMap<EndpointModel, EndpointView>();

export const endpointView = (m: EndpointModel): EndpointView => {
  const known = views.get(m);
  if (known) return known;
  const view = viewOfModel(m);
  views.set(m, view);
  return view;
};

const viewOfModel = (m: EndpointModel): EndpointView => {
  const schema = m.spec.request as Schema;
  const fields = schema.properties ?? {};
  const fills = new Map<string, FillKind>();
  for (const name of ['full-create', 'fields-create', 'minimal-create']) {
    const body = caseBody(m, name, markingValues());
    if (body) collectFills(body, '', fills);
  }
  const breaking = m.cases.flatMap((c) => {
    if (!c.violates) return [];
    const req = c.request?.(probeValues);
    const found = req && 'body' in req ? checkRequest(m.spec, req.body).filter((x) => x.kind === c.violates) : [];
    return [{ key: `${m.spec.name}/${c.name}`, rule: c.violates, fields: [...new Set(found.map((x) => x.field))] }];
  });
  return {
    model: m,
    name: m.spec.name,
    prefix: m.classPrefix,
    schema,
    fields,
    required: schema.required ?? [],
    fills,
    enums: Object.entries(fields)
      .filter(([, s]) => Array.isArray(s.enum) && s.enum.every((v) => typeof v === 'string'))
      .map(([field, s]) => ({ field, values: s.enum!.map(String), answer: answerEnum(m, field) })),
    e164Fields: [...new Set(breaking.flatMap((b) => (b.rule === 'e164' ? b.fields : [])))],
    customFieldFields: [...new Set(breaking.flatMap((b) => (b.rule === 'custom-schema-spec' ? b.fields : [])))],
    breaking,
    takenUniqueCases: m.cases.filter((c) => c.state === 'taken-unique').map((c) => `${m.spec.name}/${c.name}`),
  };
};

/** Every endpoint the model holds now, as the properties read it. */
export const endpointViews = (): EndpointView[] => endpointModels().map(endpointView);

export const viewOf = (name: string): EndpointView => {
  const m = endpointModel(name);
  if (!m) throw new Error(`no endpoint model for ${name}`);
  return endpointView(m);
};

/** The fixtures a field's values reference, as the catalogue's full create fills it. */
export const fixturesOfField = (v: EndpointView, field: string): FixtureName[] => {
  const prefix = `/${escapeSegment(field)}`;
  return [...v.fills.entries()].flatMap(([p, f]) => ((p === prefix || p.startsWith(`${prefix}/`)) && f.kind === 'fixture' ? [f.name] : []));
};

/** Fields whose values must carry the run (unique per tenant, or tagged by the catalogue). */
export const taggedFields = (v: EndpointView): string[] => {
  const out = new Set(v.model.uniqueFields);
  for (const [p, f] of v.fills) if (f.kind === 'tagged') out.add(p.split('/')[1]!);
  return [...out];
};

/** Does the endpoint document the status? */
export const documents = (v: EndpointView, status: number): boolean => Object.hasOwn(v.model.spec.responses, status);

/** The catalogue cases of the endpoint whose request breaks `rule` (at `field`, when given). */
export const casesBreaking = (v: EndpointView, rule: ViolationKind | 'malformed-json', field?: string): string[] =>
  v.breaking.filter((b) => b.rule === rule && (field === undefined || b.fields.includes(field))).map((b) => b.key);
