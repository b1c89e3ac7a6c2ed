import type { TSchema } from '@sinclair/typebox';
import { pinnedSlice } from '../openapi/slice.ts';

/**
 * DevRev's OpenAPI 3.0 schemas, read from the committed slice and turned into the JSON
 * Schema the validator (ajv, with its discriminator keyword) and the two views take:
 *
 * - `$ref` is inlined (a cycle is an error: the slice has none, and ajv would need ids);
 * - `allOf` is merged into one object (properties and `required` of every branch), so the
 *   strict view can close it;
 * - `oneOf` with a `discriminator` becomes one closed-able branch per `mapping` entry, each
 *   holding the parent's properties and its tag as a `const` (DevRev's variants do not repeat
 *   the tag); the parent keeps only the tag requirement, as ajv's discriminator wants;
 * - `nullable: true` becomes `anyOf [the schema, null]` (OpenAPI 3.0 has no `null` type);
 * - `format` keeps what the validator knows (`date-time`, `int32`, `int64`, DevRev's `id`
 *   and `text`); descriptions, examples and `x-*` keys are dropped;
 * - an object without properties (`custom_fields`) is free-form in both views, and a
 *   variant's `additionalProperties: false` is left to the strict view, which closes every
 *   documented object (the documented view lets providers add fields).
 *
 * The hand-written TypeBox shapes are compared with these in test/api-model/derived-shapes.test.ts,
 * so the committed slice stays the source of truth.
 */
type Node = Record<string, unknown>;

const KNOWN_FORMATS = new Set(['date-time', 'int32', 'int64', 'id', 'text']);
const KEEP = new Set(['type', 'enum', 'const', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern', 'minItems', 'maxItems', 'title']);

export class SliceSchemaError extends Error {}

interface Components {
  [name: string]: Node;
}

const refName = (ref: string): string => {
  const m = /^#\/components\/schemas\/([^/]+)$/.exec(ref);
  if (!m) throw new SliceSchemaError(`unsupported $ref ${ref}`);
  return decodeURIComponent(m[1]!.replace(/~1/g, '/').replace(/~0/g, '~'));
};

const mergeObjects = (parts: Node[], title: unknown): Node => {
  const properties: Record<string, unknown> = {};
  const required = new Set<string>();
  let oneOf: unknown;
  let discriminator: unknown;
  for (const p of parts) {
    Object.assign(properties, (p['properties'] as Record<string, unknown>) ?? {});
    for (const r of (p['required'] as string[]) ?? []) required.add(r);
    if (p['oneOf']) {
      oneOf = p['oneOf'];
      discriminator = p['discriminator'];
    }
  }
  const out: Node = { type: 'object', ...(typeof title === 'string' ? { title } : {}) };
  if (Object.keys(properties).length) out['properties'] = properties;
  if (required.size) out['required'] = [...required];
  if (oneOf) return discriminated(out, oneOf as Node[], discriminator as Node);
  return out;
};

/**
 * A variant that is itself discriminated (a 400 customization_validation_error by its
 * `subtype`) whose branches add nothing but their tag: one object whose inner tag is the
 * enum of the branch tags. Branches that differ otherwise are not in the slice; refuse them.
 */
const collapse = (v: Node): Node => {
  const tag = (v['discriminator'] as Node)['propertyName'] as string;
  const branches = v['oneOf'] as Node[];
  const shape = (b: Node) => Object.keys((b['properties'] as Node) ?? {}).sort().join(',');
  if (new Set(branches.map(shape)).size !== 1) throw new SliceSchemaError(`nested discriminator on ${tag} with differing variants`);
  const first = branches[0]!;
  const values = branches.map((b) => ((b['properties'] as Record<string, Node>)[tag] as Node)['const']);
  return {
    ...first,
    title: v['title'],
    ...(v['x-tag'] !== undefined ? { 'x-tag': v['x-tag'] } : {}),
    properties: { ...(first['properties'] as Node), [tag]: { type: 'string', enum: values } },
  };
};

/** One branch per variant, each with the parent's properties and its tag as a const. */
const discriminated = (parent: Node, variants: Node[], discriminator: Node): Node => {
  const tag = discriminator['propertyName'] as string;
  const parentProps = (parent['properties'] as Record<string, unknown>) ?? {};
  const parentRequired = (parent['required'] as string[]) ?? [];
  const branches = variants.map((given) => {
    const v = given['oneOf'] ? collapse(given) : given;
    // A variant built by an inner oneOf already holds its tag (an allOf merges it again).
    const tagValue = (v['x-tag'] ?? ((v['properties'] as Record<string, Node> | undefined)?.[tag]?.['const'])) as string;
    const props = { ...parentProps, ...((v['properties'] as Record<string, unknown>) ?? {}), [tag]: { const: tagValue } };
    const required = [...new Set([...parentRequired, ...((v['required'] as string[]) ?? []), tag])];
    return { type: 'object', ...(v['title'] ? { title: v['title'] } : {}), properties: props, required };
  });
  return {
    type: 'object',
    ...(parent['title'] ? { title: parent['title'] } : {}),
    discriminator: { propertyName: tag },
    required: [tag],
    oneOf: branches,
  };
};

export const convertSchema = (node: Node, components: Components, stack: readonly string[] = []): Node => {
  if (typeof node['$ref'] === 'string') {
    const name = refName(node['$ref']);
    if (stack.includes(name)) throw new SliceSchemaError(`$ref cycle through ${[...stack, name].join(' → ')}`);
    const target = components[name];
    if (!target) throw new SliceSchemaError(`$ref to missing component ${name}`);
    const out = convertSchema(target, components, [...stack, name]);
    return out['title'] || out['anyOf'] ? out : { ...out, title: name };
  }
  if (node['nullable'] === true) {
    const { nullable: _, ...rest } = node;
    return { anyOf: [convertSchema(rest, components, stack), { type: 'null' }] };
  }
  if (Array.isArray(node['allOf'])) {
    const parts = (node['allOf'] as Node[]).map((b) => convertSchema(b, components, stack));
    const own = { ...node };
    delete own['allOf'];
    if (Object.keys(own).some((k) => k === 'properties' || k === 'required' || k === 'oneOf')) parts.push(convertSchema(own, components, stack));
    return mergeObjects(parts, node['title']);
  }
  if (Array.isArray(node['oneOf']) && node['discriminator'] && typeof node['discriminator'] === 'object') {
    const d = node['discriminator'] as Node;
    const mapping = (d['mapping'] as Record<string, string>) ?? {};
    const variants = Object.entries(mapping).map(([value, ref]) => ({
      ...convertSchema({ $ref: ref }, components, stack),
      'x-tag': value,
    }));
    const own: Node = { type: 'object', title: node['title'] };
    if (node['properties']) own['properties'] = convertProps(node['properties'] as Record<string, Node>, components, stack);
    if (node['required']) own['required'] = node['required'];
    return discriminated(own, variants, d);
  }
  if (Array.isArray(node['oneOf'])) {
    return { oneOf: (node['oneOf'] as Node[]).map((b) => convertSchema(b, components, stack)) };
  }
  const out: Node = {};
  for (const [k, v] of Object.entries(node)) if (KEEP.has(k)) out[k] = v;
  if (typeof node['format'] === 'string' && KNOWN_FORMATS.has(node['format'])) out['format'] = node['format'];
  if (node['items']) out['items'] = convertSchema(node['items'] as Node, components, stack);
  if (node['properties']) out['properties'] = convertProps(node['properties'] as Record<string, Node>, components, stack);
  if (Array.isArray(node['required']) && node['required'].length) out['required'] = node['required'];
  if (out['type'] === 'object' && !out['properties']) out['x-free-form'] = true;
  return out;
};

const convertProps = (props: Record<string, Node>, components: Components, stack: readonly string[]) =>
  Object.fromEntries(Object.entries(props).map(([k, v]) => [k, convertSchema(v, components, stack)]));

/** Per document, so a served version's shapes never mix with the pin's. */
const caches = new WeakMap<object, Map<string, TSchema>>();

/**
 * The JSON Schema of component `name` of `doc` (a whole DevRev document or a slice),
 * derived once per document and name.
 */
export const documentSchema = (doc: Record<string, unknown>, name: string): TSchema => {
  let cache = caches.get(doc);
  if (!cache) {
    cache = new Map();
    caches.set(doc, cache);
  }
  let s = cache.get(name);
  if (!s) {
    const components = ((doc['components'] ?? {}) as { schemas?: Components }).schemas ?? {};
    if (!components[name]) throw new SliceSchemaError(`the slice has no component ${name}`);
    s = convertSchema({ $ref: `#/components/schemas/${name}` }, components) as unknown as TSchema;
    cache.set(name, s);
  }
  return s;
};

/** The JSON Schema of component `name` of the committed slice (cached: derived once per process). */
export const sliceSchema = (name: string): TSchema => documentSchema(pinnedSlice(), name);
