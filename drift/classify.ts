import type { TSchema } from '@sinclair/typebox';
import type { SchemaError } from '../api-model/shapes/validate.ts';
import { segmentsOf, unescapeSegment, valueAt } from '../core/pointer.ts';
import { compareRules, type RuleId } from './rules.ts';

/**
 * Turns ajv's errors about one response body into drift rules, one per JSON pointer. ajv
 * reports a value several times (an enum of the slice yields a `type` and an `enum` error, a
 * union of literals a `type` and a `const` per branch plus an `anyOf`); every error at a
 * pointer is read as a rule and the stricter rule wins, so a value is never reported twice
 * and never under the milder reading, whichever way the schema spells the same promise.
 */
export interface Classified {
  rule: RuleId;
  pointer: string;
  expected: unknown;
  actual: unknown;
  message: string;
}

export interface ClassifyOptions {
  /** An error status: a body that is not an object is not the documented envelope at all. */
  errorStatus: boolean;
}

export const jsonTypeName = (v: unknown): string => {
  if (v === undefined) return 'absent';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
};

const show = (v: unknown): string => (v === undefined ? 'absent' : JSON.stringify(v));
const at = (pointer: string) => (pointer === '' ? 'the body' : pointer);

/** The schema node a `schemaPath` (`#/properties/a/oneOf/0/...`) names, minus its last keyword. */
const schemaNodeOf = (schema: TSchema, schemaPath: string | undefined): Record<string, unknown> | undefined => {
  if (!schemaPath?.startsWith('#')) return undefined;
  const segments = schemaPath.slice(1).split('/').slice(1).map(unescapeSegment);
  segments.pop();
  let node: unknown = schema;
  for (const s of segments) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[s];
  }
  return node !== null && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
};

/** The tags a discriminated oneOf documents, read from the schema itself. */
const documentedTags = (schema: TSchema, e: SchemaError): string[] => {
  const node = schemaNodeOf(schema, e.schemaPath);
  const tag = String(e.params['tag']);
  const variants = Array.isArray(node?.['oneOf']) ? (node['oneOf'] as Array<Record<string, unknown>>) : [];
  return variants
    .map((v) => (v['properties'] as Record<string, { const?: unknown }> | undefined)?.[tag]?.const)
    .filter((c): c is string => typeof c === 'string');
};

const WRAPPERS = new Set(['anyOf', 'oneOf', 'allOf', 'if', 'not']);
const FORMAT_KEYWORDS = new Set(['format', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'pattern', 'minLength', 'maxLength', 'multipleOf']);

const readError = (e: SchemaError, body: unknown, schema: TSchema, o: ClassifyOptions): Classified | null => {
  const value = valueAt(body, e.pointer);
  const p = e.pointer;
  switch (e.keyword) {
    case 'required':
      return {
        rule: 'response-required-property-missing',
        pointer: p,
        expected: 'present',
        actual: 'absent',
        message: `${p} is required but absent`,
      };
    case 'type':
      if (p === '' && o.errorStatus)
        return {
          rule: 'error-body-undocumented',
          pointer: p,
          expected: 'the documented error envelope (a JSON object with `type`)',
          actual: jsonTypeName(value),
          message: `the error body is ${jsonTypeName(value)}, not the documented error envelope`,
        };
      return {
        rule: value === null ? 'response-property-became-nullable' : 'response-property-type-changed',
        pointer: p,
        expected: e.params['type'],
        actual: jsonTypeName(value),
        message: `${at(p)} is ${jsonTypeName(value)}, documented as ${String(e.params['type'])}`,
      };
    case 'const':
    case 'enum': {
      const allowed = e.keyword === 'const' ? [e.params['allowedValue']] : (e.params['allowedValues'] as unknown[]);
      return {
        rule: 'response-enum-value-unknown',
        pointer: p,
        expected: allowed,
        actual: value,
        message: `${at(p)} is ${show(value)}, not a documented value`,
      };
    }
    case 'discriminator': {
      // ajv reports a missing or non-string tag as a discriminator error too: read it as what it is.
      if (value === undefined) return readError({ ...e, keyword: 'required' }, body, schema, o);
      if (typeof value !== 'string') return readError({ ...e, keyword: 'type', params: { type: 'string' } }, body, schema, o);
      const tags = documentedTags(schema, e);
      return {
        rule: 'response-discriminator-unknown',
        pointer: p,
        expected: tags.length ? tags : 'a documented variant',
        actual: value,
        message: `${p} is ${show(value)}, not a documented variant${tags.length ? ` (${tags.join(', ')})` : ''}`,
      };
    }
    case 'additionalProperties':
      return {
        rule: 'response-property-added',
        pointer: p,
        expected: 'absent (undocumented)',
        actual: jsonTypeName(value),
        message: `${p} is not documented`,
      };
    default:
      if (WRAPPERS.has(e.keyword)) return null;
      if (FORMAT_KEYWORDS.has(e.keyword)) {
        const expected = e.keyword === 'format' ? e.params['format'] : `${e.keyword} ${JSON.stringify(e.params)}`;
        return {
          rule: 'response-property-format-changed',
          pointer: p,
          expected,
          actual: value,
          message: `${at(p)} is ${show(value)}, not ${String(expected)}`,
        };
      }
      return {
        rule: 'response-property-type-changed',
        pointer: p,
        expected: e.message,
        actual: value,
        message: `${at(p)}: ${e.message}`,
      };
  }
};

export const classifySchemaErrors = (
  errors: SchemaError[],
  body: unknown,
  schema: TSchema,
  o: ClassifyOptions,
): Classified[] => {
  const byPointer = new Map<string, { read: Classified[]; wrappers: SchemaError[] }>();
  for (const e of errors) {
    const slot = byPointer.get(e.pointer) ?? { read: [], wrappers: [] };
    byPointer.set(e.pointer, slot);
    const c = readError(e, body, schema, o);
    if (c) slot.read.push(c);
    else slot.wrappers.push(e);
  }
  const out: Classified[] = [];
  for (const [pointer, slot] of byPointer) {
    if (slot.read.length === 0) {
      // A union that failed without a reason of its own: the value matches no documented shape.
      const value = valueAt(body, pointer);
      out.push({
        rule: value === null ? 'response-property-became-nullable' : 'response-property-type-changed',
        pointer,
        expected: 'one of the documented shapes',
        actual: jsonTypeName(value),
        message: `${at(pointer)} matches none of the documented shapes`,
      });
      continue;
    }
    const winner = [...slot.read].sort((a, b) => compareRules(a.rule, b.rule))[0]!;
    if (winner.rule === 'response-enum-value-unknown') {
      // Gather every allowed value ajv named for this pointer into one expectation.
      const allowed = slot.read.filter((c) => c.rule === winner.rule).flatMap((c) => c.expected as unknown[]);
      winner.expected = [...new Set(allowed)];
    }
    out.push(winner);
  }
  // When the body itself is not the documented envelope, nothing below it is worth reading.
  const whole = out.find((c) => c.pointer === '' && c.rule === 'error-body-undocumented');
  if (whole) return [whole];
  return out.sort((a, b) => segmentsOf(a.pointer).length - segmentsOf(b.pointer).length || a.pointer.localeCompare(b.pointer));
};
