import type { TSchema } from '@sinclair/typebox';

/**
 * Two readings of every documented shape. The documented view is what a tolerant client
 * relies on: undocumented properties are allowed, since a provider may add fields. The
 * strict view closes every documented object, so the drift check can report additions.
 * Free-form maps (`custom_fields`) stay open in both.
 */
export type View = 'documented' | 'strict';

const closeObjects = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(closeObjects);
  if (node === null || typeof node !== 'object') return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) copy[key] = closeObjects(value);
  if (copy['type'] === 'object' && copy['properties'] && copy['x-free-form'] !== true) {
    copy['additionalProperties'] ??= false;
  }
  return copy;
};

export const viewOf = (schema: TSchema, view: View): TSchema =>
  view === 'strict' ? (closeObjects(schema) as TSchema) : schema;
