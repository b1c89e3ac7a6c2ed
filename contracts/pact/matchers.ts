import { MatchersV3 } from '@pact-foundation/pact';
import type { TSchema } from '@sinclair/typebox';
import { E164_PATTERN } from '../../api-model/prose-rules/e164.ts';
import { BAD_REQUEST_TYPES } from '../../api-model/shapes/errors.ts';

const { boolean, decimal, eachLike, integer, isMatcher, like, regex } = MatchersV3;

/**
 * Pact matchers derived from the documented shapes (api-model/shapes), never retyped: a
 * schema and an example of what the consumer relies on become a matcher tree. Only the keys
 * of the example are matched, so a contract pins what the client reads and nothing else;
 * a key the schema does not document is refused, so no contract relies on an undocumented
 * field. Literals (`type: "dev_user"`) are matched exactly, enums by a regex of their
 * documented alternatives, `date-time` strings by pattern, other scalars (ids included:
 * their shape is assumed) by type.
 */

/** RFC 3339 date-time, as the spec's `format: date-time` means it. */
export const DATE_TIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$';
export { E164_PATTERN };

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A regex that accepts exactly the given alternatives. */
export const oneOfPattern = (values: readonly string[]) => `^(${values.map(escapeRegex).join('|')})$`;

/** Any documented 400 `type`: the docs never say which one a given breach gets. */
export const badRequestType = (example: string) => regex(oneOfPattern(BAD_REQUEST_TYPES), example);

export const e164 = (example: string) => regex(E164_PATTERN, example);

/** A hook for what a schema cannot say (E.164 is prose, not a pattern): return a matcher or undefined. */
export type Refine = (pointer: string, example: unknown) => unknown;

interface Node {
  type?: string | string[];
  const?: unknown;
  format?: string;
  enum?: unknown[];
  anyOf?: Node[];
  oneOf?: Node[];
  discriminator?: { propertyName: string };
  properties?: Record<string, Node>;
  patternProperties?: Record<string, Node>;
  items?: Node;
  [k: string]: unknown;
}

export class MatcherDerivationError extends Error {}

const variantFor = (node: Node, example: unknown, pointer: string): Node => {
  const tag = node.discriminator?.propertyName;
  const value = tag && example && typeof example === 'object' ? (example as Record<string, unknown>)[tag] : undefined;
  const found = node.oneOf?.find((v) => v.properties?.[tag ?? '']?.const === value);
  if (!found) throw new MatcherDerivationError(`${pointer || '/'}: ${JSON.stringify(value)} names no documented variant`);
  return found;
};

const enumValues = (node: Node): string[] | undefined => {
  if (node.enum?.every((v) => typeof v === 'string')) return node.enum as string[];
  if (node.anyOf?.every((a) => typeof a.const === 'string')) return node.anyOf.map((a) => a.const as string);
  return undefined;
};

const derive = (node: Node, example: unknown, pointer: string, refine: Refine | undefined): unknown => {
  if (isMatcher(example)) return example;
  const refined = refine?.(pointer, example);
  if (refined !== undefined) return refined;
  if (node.oneOf && node.discriminator) return derive(variantFor(node, example, pointer), example, pointer, refine);
  if (node.const !== undefined) {
    if (example !== node.const) throw new MatcherDerivationError(`${pointer}: example ${JSON.stringify(example)} is not the documented ${JSON.stringify(node.const)}`);
    return example;
  }
  // An enum of strings, as the slice writes it (`enum`) or as a union of literals (`anyOf` of `const`s).
  const values = enumValues(node);
  if (values) {
    if (!values.includes(example as string)) throw new MatcherDerivationError(`${pointer}: ${JSON.stringify(example)} is not one of ${values.join(', ')}`);
    return regex(oneOfPattern(values), example as string);
  }
  switch (node.type) {
    case 'string':
      if (typeof example !== 'string') throw new MatcherDerivationError(`${pointer}: example is not a string`);
      if (node.format === 'date-time') return regex(DATE_TIME_PATTERN, example);
      // The document gives `format: id` no pattern; the DON shape is assumed, so a
      // contract (whose findings are spec) does not require it.
      if (node.format === 'id') return like(example);
      return like(example);
    case 'integer':
      return integer(example as number);
    case 'number':
      return decimal(example as number);
    case 'boolean':
      return boolean(example as boolean);
    case 'array': {
      if (!Array.isArray(example) || example.length === 0) throw new MatcherDerivationError(`${pointer}: an array example needs one item`);
      return eachLike(derive(node.items ?? {}, example[0], `${pointer}/0`, refine), 1);
    }
    case 'object': {
      if (node.patternProperties || !node.properties) return like(example);
      if (!example || typeof example !== 'object' || Array.isArray(example)) throw new MatcherDerivationError(`${pointer}: example is not an object`);
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(example)) {
        const child = node.properties[key];
        if (!child) throw new MatcherDerivationError(`${pointer}/${key}: not a documented field`);
        out[key] = derive(child, value, `${pointer}/${key}`, refine);
      }
      return out;
    }
    default:
      return like(example);
  }
};

/** The matcher tree for `example`, checked against `schema` as it is built. */
export const matchersFrom = (schema: TSchema, example: unknown, refine?: Refine): unknown =>
  derive(schema as unknown as Node, example, '', refine);

/** Phone numbers are E.164 by the docs' prose; the schema only says `text`. */
export const refinePhones: Refine = (pointer, example) =>
  /\/phone_numbers\/0$/.test(pointer) && typeof example === 'string' ? e164(example) : undefined;

/** Error bodies: `type` of a 400 may be any documented one. */
export const refineBadRequestType: Refine = (pointer, example) =>
  pointer === '/type' && typeof example === 'string' ? badRequestType(example) : undefined;
