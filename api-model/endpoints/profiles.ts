import {
  type CreateEndpoint,
  type CreateEndpointName,
  DEV_USERS_CREATE,
  DEV_USERS_DEACTIVATE,
  type EndpointSpec,
  REV_USERS_CREATE,
  REV_USERS_DELETE,
} from '../shapes/endpoints.ts';

/**
 * Everything endpoint-specific the pillars need, one profile per create endpoint. The map
 * is keyed by every name of `CREATE_ENDPOINTS` (`satisfies Record<CreateEndpointName, …>`),
 * as are the other per-endpoint maps (echo fields, fixture-free fields, the SDK call): add
 * an endpoint to that list and the compiler names every map that must handle it.
 */
export interface EndpointProfile {
  spec: CreateEndpoint;
  /** Prefix of the property classes of this endpoint (`rev.valid.minimal`). */
  classPrefix: string;
  /** How a run removes a user it created on a real target. */
  cleanup: {
    endpoint: EndpointSpec;
    event: 'removed' | 'deactivated';
    /** A 404 means the record is already gone (a delete), or is a failure (a deactivate). */
    goneOn404: boolean;
    note?: string;
  };
  /** Request fields whose values must be unique per tenant: they carry the run id. */
  uniqueFields: readonly string[];
}

export const PROFILES = {
  'rev-users.create': {
    spec: REV_USERS_CREATE,
    classPrefix: 'rev',
    cleanup: { endpoint: REV_USERS_DELETE, event: 'removed', goneOn404: true },
    uniqueFields: ['external_ref'],
  },
  'dev-users.create': {
    spec: DEV_USERS_CREATE,
    classPrefix: 'dev',
    cleanup: {
      endpoint: DEV_USERS_DEACTIVATE,
      event: 'deactivated',
      goneOn404: false,
      note: 'DevRev documents no delete for dev users; deactivated instead',
    },
    uniqueFields: ['email'],
  },
} as const satisfies Record<CreateEndpointName, EndpointProfile>;

export const isCreateEndpointName = (name: string): name is CreateEndpointName => Object.hasOwn(PROFILES, name);

export const profileOf = (name: CreateEndpointName): EndpointProfile => PROFILES[name];

/** The endpoint whose envelope key a 201 body carries (`rev_user`), or null. */
export const endpointOfCreatedBody = (body: Record<string, unknown>): CreateEndpointName | null =>
  (Object.values(PROFILES) as EndpointProfile[]).find((p) => p.spec.envelope !== null && body[p.spec.envelope] !== undefined)?.spec.name ?? null;

/** The endpoint of a property class, by its prefix; null for classes of every endpoint. */
export const endpointOfClassName = (cls: string): CreateEndpointName | null =>
  (Object.values(PROFILES) as EndpointProfile[]).find((p) => cls.startsWith(`${p.classPrefix}.`))?.spec.name ?? null;
