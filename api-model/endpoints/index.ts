import type { CreateEndpointName } from '../openapi/slice-paths.ts';
import { DEV_USERS } from './dev-users-create.ts';
import type { EndpointModel } from './model.ts';
import { REV_USERS } from './rev-users-create.ts';

export type { EchoField, EndpointModel } from './model.ts';

/**
 * The create endpoints the suite checks, one file each, keyed by every create path of the
 * slice (api-model/openapi/slice-paths.ts): add a path there and the compiler names this map
 * (and the simulator's handlers, and the SDK's calls) until each has its part.
 */
export const ENDPOINT_MODELS = {
  'rev-users.create': REV_USERS,
  'dev-users.create': DEV_USERS,
} as const satisfies Record<CreateEndpointName, EndpointModel>;

/** The create endpoints' specs, in the models' order. */
export const CREATE_ENDPOINTS: readonly EndpointModel['spec'][] = Object.values(ENDPOINT_MODELS).map((m) => m.spec);
export type CreateEndpoint = EndpointModel['spec'];

// Endpoints a test adds for the duration of the test (a synthetic third endpoint shows that
// no pillar forgets one). Nothing in the shipped code adds any.
const added: EndpointModel[] = [];

/** Every endpoint model, in a stable order: the pinned ones, then any a test added. */
export const endpointModels = (): readonly EndpointModel[] => [...Object.values(ENDPOINT_MODELS), ...added];

/** The model of an endpoint by name, or undefined. */
export const endpointModel = (name: string): EndpointModel | undefined => endpointModels().find((m) => m.spec.name === name);

/** For tests: add an endpoint until the returned function is called. */
export const addEndpointForTest = (model: EndpointModel): (() => void) => {
  added.push(model);
  return () => {
    const i = added.indexOf(model);
    if (i >= 0) added.splice(i, 1);
  };
};

/** The spec of a create endpoint by name (a test's added ones included), or undefined. */
export const endpointByName = (name: string): CreateEndpoint | undefined => endpointModel(name)?.spec;

/** An endpoint whose request has required fields: a body of none creates nothing and gets a 400. */
export const harmlessRequestEndpoint = (): EndpointModel => {
  const m = endpointModels().find((e) => ((e.spec.request as { required?: string[] }).required ?? []).length > 0);
  if (!m) throw new Error('no create endpoint documents a required request field: no request creates nothing');
  return m;
};
