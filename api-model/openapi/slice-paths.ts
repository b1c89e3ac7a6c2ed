/**
 * The paths the suite sends requests to: the creates it checks, and the calls its cleanup
 * uses to remove what it created. The slice holds these and what they reference. The create
 * paths name the endpoints: every map keyed by endpoint (the endpoint models, the
 * simulator's handlers, the SDK's calls) is a Record over these names, so the compiler names
 * each one a new path needs.
 */
export const CREATE_PATHS = ['/rev-users.create', '/dev-users.create'] as const;
export const CLEANUP_PATHS = ['/rev-users.delete', '/dev-users.deactivate'] as const;
export const SLICE_PATHS = [...CREATE_PATHS, ...CLEANUP_PATHS] as const;

type NameOf<P> = P extends `/${infer N}` ? N : never;
export type CreateEndpointName = NameOf<(typeof CREATE_PATHS)[number]>;
export type CleanupEndpointName = NameOf<(typeof CLEANUP_PATHS)[number]>;
