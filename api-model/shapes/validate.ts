import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { pointerOf } from '../../core/pointer.ts';
import { type View, viewOf } from './views.ts';

// ajv-formats is CommonJS; under NodeNext its default export arrives wrapped.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

// strictRequired is off: a discriminated oneOf requires its tag at the parent, as the spec does.
const ajv = new Ajv({ allErrors: true, discriminator: true, strict: true, strictRequired: false, allowUnionTypes: true });
addFormats(ajv, ['date-time', 'int32', 'int64']);
// DevRev's own formats carry no constraint the documents state.
ajv.addFormat('text', true);
ajv.addFormat('id', true);
ajv.addKeyword('x-free-form');

export interface SchemaError {
  /** RFC 6901 pointer to the offending value (or to the missing/extra property). */
  pointer: string;
  keyword: string;
  message: string;
  params: Record<string, unknown>;
  /** ajv's pointer into the schema (`#/properties/...`): where the broken rule lives. */
  schemaPath?: string;
}

export interface SchemaVerdict {
  valid: boolean;
  errors: SchemaError[];
}

const toSchemaError = (e: ErrorObject): SchemaError => {
  const params = e.params as Record<string, unknown>;
  let pointer = e.instancePath;
  if (e.keyword === 'required') pointer += pointerOf(String(params['missingProperty']));
  if (e.keyword === 'additionalProperties') pointer += pointerOf(String(params['additionalProperty']));
  if (e.keyword === 'discriminator') pointer += pointerOf(String(params['tag']));
  return { pointer, keyword: e.keyword, message: e.message ?? e.keyword, params, schemaPath: e.schemaPath };
};

const cache: Record<View, WeakMap<TSchema, ValidateFunction>> = {
  documented: new WeakMap(),
  strict: new WeakMap(),
};

export const compile = (schema: TSchema, view: View = 'documented'): ValidateFunction => {
  let fn = cache[view].get(schema);
  if (!fn) {
    fn = ajv.compile(viewOf(schema, view));
    cache[view].set(schema, fn);
  }
  return fn;
};

export const validate = (schema: TSchema, value: unknown, view: View = 'documented'): SchemaVerdict => {
  const fn = compile(schema, view);
  const valid = fn(value) as boolean;
  return { valid, errors: valid ? [] : (fn.errors ?? []).map(toSchemaError) };
};
