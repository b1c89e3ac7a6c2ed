import { pointerOf } from '../api-model/openapi/pointer.ts';
import { deref, isObject, type Located, refName, type SpecSide } from './resolve.ts';

/**
 * What a schema means once its `$ref`s are followed and its `allOf` branches merged (in
 * OpenAPI, allOf is how DevRev composes a type from its bases): the types it allows, its
 * format, enum, properties (each with the pointer where it is declared), required names,
 * items and discriminated variants. Descriptions, examples and vendor extensions are not
 * read, so they can never show up as changes.
 */
export interface SchemaView {
  /** Pointer of the schema (after following `$ref`). */
  pointer: string;
  /** JSON types allowed, without null; null when any type is allowed. */
  types: Set<string> | null;
  nullable: boolean;
  format: string | undefined;
  formatAt: string;
  /** Allowed values, or undefined when any value of the type is allowed. */
  enumValues: unknown[] | undefined;
  enumAt: string;
  properties: Map<string, Located>;
  required: Set<string>;
  items: Located | undefined;
  additional: Located | undefined;
  /** Variants by discriminator value (or component name / index when there is none). */
  variants: Map<string, Located>;
  discriminator: { propertyName: string; at: string; explicit: Set<string> } | undefined;
}

const JSON_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array'];

const emptyView = (pointer: string): SchemaView => ({
  pointer,
  types: null,
  nullable: false,
  format: undefined,
  formatAt: pointer,
  enumValues: undefined,
  enumAt: pointer,
  properties: new Map(),
  required: new Set(),
  items: undefined,
  additional: undefined,
  variants: new Map(),
  discriminator: undefined,
});

const cache = new WeakMap<object, Map<string, SchemaView>>();

export const viewOf = (side: SpecSide, loc: Located): SchemaView => {
  const { node, tokens } = deref(side, loc.node, loc.tokens);
  const pointer = pointerOf(tokens);
  const byPointer = cache.get(side.doc) ?? new Map<string, SchemaView>();
  cache.set(side.doc, byPointer);
  const hit = byPointer.get(pointer);
  if (hit) return hit;
  const view = emptyView(pointer);
  byPointer.set(pointer, view);
  if (!isObject(node)) return view;
  // Branches first: what the schema itself says is more specific and wins.
  const allOf = node['allOf'];
  if (Array.isArray(allOf)) {
    for (const [i, branch] of allOf.entries()) mergeInto(view, viewOf(side, { node: branch, tokens: [...tokens, 'allOf', String(i)] }));
  }
  readOwn(side, view, node, tokens);
  return view;
};

const typesOf = (t: unknown): { types: Set<string> | null; nullable: boolean } => {
  if (typeof t === 'string') return { types: new Set([t]), nullable: t === 'null' };
  if (Array.isArray(t)) {
    const names = t.filter((x): x is string => typeof x === 'string');
    return { types: new Set(names.filter((x) => x !== 'null')), nullable: names.includes('null') };
  }
  return { types: null, nullable: false };
};

const readOwn = (side: SpecSide, view: SchemaView, node: Record<string, unknown>, tokens: string[]): void => {
  const here = pointerOf(tokens);
  if (node['type'] !== undefined) {
    const t = typesOf(node['type']);
    view.types = t.types && view.types ? new Set([...t.types].filter((x) => view.types!.has(x))) : (t.types ?? view.types);
    if (t.nullable) view.nullable = true;
  }
  if (node['nullable'] === true) view.nullable = true;
  if (typeof node['format'] === 'string') {
    view.format = node['format'];
    view.formatAt = `${here}/format`;
  }
  if (Array.isArray(node['enum'])) {
    view.enumValues = node['enum'].filter((v) => v !== null);
    view.enumAt = `${here}/enum`;
    if (node['enum'].includes(null)) view.nullable = true;
  }
  if (isObject(node['properties'])) {
    for (const [name, schema] of Object.entries(node['properties'])) view.properties.set(name, { node: schema, tokens: [...tokens, 'properties', name] });
  }
  if (Array.isArray(node['required'])) for (const r of node['required']) if (typeof r === 'string') view.required.add(r);
  if (node['items'] !== undefined) view.items = { node: node['items'], tokens: [...tokens, 'items'] };
  if (isObject(node['additionalProperties'])) view.additional = { node: node['additionalProperties'], tokens: [...tokens, 'additionalProperties'] };
  const disc = node['discriminator'];
  const variants = Array.isArray(node['oneOf']) ? 'oneOf' : Array.isArray(node['anyOf']) ? 'anyOf' : null;
  if (variants) {
    const list = node[variants] as unknown[];
    const byRef = new Map<string, string>();
    for (const [i, v] of list.entries()) {
      const name = refName(v);
      const key = name ?? String(i);
      view.variants.set(key, { node: v, tokens: [...tokens, variants, String(i)] });
      if (name) byRef.set(`#/components/schemas/${name}`, key);
    }
    if (isObject(disc) && typeof disc['propertyName'] === 'string') {
      // Keyed by the discriminator value a payload carries: the mapping's keys, and the
      // component name for variants the mapping leaves implicit.
      const mapping = isObject(disc['mapping']) ? disc['mapping'] : {};
      const keyed = new Map<string, Located>();
      const mapped = new Set<string>();
      for (const [value, ref] of Object.entries(mapping)) {
        if (typeof ref !== 'string') continue;
        const loc = { node: { $ref: ref }, tokens: [...tokens, 'discriminator', 'mapping', value] };
        keyed.set(value, loc);
        const k = byRef.get(ref);
        if (k) mapped.add(k);
      }
      for (const [k, v] of view.variants) if (!mapped.has(k) && refName(v.node)) keyed.set(k, v);
      view.variants = keyed;
      view.discriminator = { propertyName: disc['propertyName'], at: `${here}/discriminator`, explicit: new Set(Object.keys(mapping)) };
    }
  }
  if (view.types === null && (view.properties.size > 0 || view.variants.size > 0)) view.types = new Set(['object']);
  if (view.types) for (const t of view.types) if (!JSON_TYPES.includes(t)) view.types.delete(t);
  void side;
};

const mergeInto = (into: SchemaView, from: SchemaView): void => {
  if (from.types) into.types = into.types ? new Set([...into.types].filter((x) => from.types!.has(x))) : new Set(from.types);
  if (from.nullable) into.nullable = true;
  if (from.format !== undefined) {
    into.format = from.format;
    into.formatAt = from.formatAt;
  }
  if (from.enumValues) {
    into.enumValues = from.enumValues;
    into.enumAt = from.enumAt;
  }
  for (const [k, v] of from.properties) into.properties.set(k, v);
  for (const r of from.required) into.required.add(r);
  if (from.items) into.items = from.items;
  if (from.additional) into.additional = from.additional;
  for (const [k, v] of from.variants) into.variants.set(k, v);
  if (from.discriminator) into.discriminator = from.discriminator;
};
