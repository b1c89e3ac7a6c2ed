import type { CreateEndpointName } from '../shapes/endpoints.ts';
import { ENDPOINT_MODELS, type EndpointModel, endpointModels } from './index.ts';

/**
 * Lookups over the endpoint models: by name, by the envelope of a created body, by the
 * prefix of a property class.
 */
export type EndpointProfile = EndpointModel;

export const isCreateEndpointName = (name: string): name is CreateEndpointName => Object.hasOwn(ENDPOINT_MODELS, name);

export const profileOf = (name: string): EndpointModel => {
  const m = endpointModels().find((e) => e.spec.name === name);
  if (!m) throw new Error(`no endpoint model for ${name}`);
  return m;
};

/** The endpoint whose envelope key a 201 body carries (`rev_user`), or null. */
export const endpointOfCreatedBody = (body: Record<string, unknown>): string | null =>
  endpointModels().find((p) => body[p.spec.envelope] !== undefined)?.spec.name ?? null;

/** The endpoint of a property class, by its prefix; null for classes of every endpoint. */
export const endpointOfClassName = (cls: string): string | null =>
  endpointModels().find((p) => cls.startsWith(`${p.classPrefix}.`))?.spec.name ?? null;
