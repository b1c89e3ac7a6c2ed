import {
  type Static,
  type TLiteral,
  type TObject,
  type TProperties,
  type TSchema,
  type TUnion,
  Type,
} from '@sinclair/typebox';

/**
 * Building blocks that mirror the OpenAPI vocabulary DevRev uses. `text` and `id` are
 * DevRev's own formats: the spec gives them no pattern, so they are registered with ajv as
 * accept-anything formats (see validate.ts) and exist here to keep the documents' wording.
 */
export const Text = (description?: string) =>
  Type.String({ format: 'text', ...(description ? { description } : {}) });
export const Id = (description?: string) =>
  Type.String({ format: 'id', ...(description ? { description } : {}) });
export const DateTime = (description?: string) =>
  Type.String({ format: 'date-time', ...(description ? { description } : {}) });
export const Int64 = () => Type.Integer({ format: 'int64' });
export const Int32 = () => Type.Integer({ format: 'int32' });

/** An object whose documented shape is fixed; the views in views.ts decide about extras. */
export const Obj = <T extends TProperties>(properties: T, title: string) =>
  Type.Object(properties, { title });

/** A free-form object (`custom_fields`): never closed, in either view. */
export const FreeForm = (description: string) =>
  Type.Record(Type.String(), Type.Unknown(), { description, 'x-free-form': true });

/**
 * A `oneOf` discriminated by a property, as the OpenAPI documents declare user and org
 * summaries and the error envelopes. ajv's `discriminator` keyword reports the errors of the
 * branch the tag selects (or an error at the tag itself), which is what gives the fidelity
 * tests and the drift check a precise path instead of every branch's failures at once.
 */
export const Discriminated = <V extends TObject[]>(propertyName: string, variants: [...V], title: string) =>
  Type.Unsafe<Static<TUnion<V>>>({
    title,
    type: 'object',
    discriminator: { propertyName },
    required: [propertyName],
    oneOf: variants,
  });

export const Tag = <L extends string>(value: L): TLiteral<L> => Type.Literal(value);

export type { Static, TSchema };
