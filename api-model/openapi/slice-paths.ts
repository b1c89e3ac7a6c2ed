/**
 * The paths the suite sends requests to: the two creates it checks, and the two calls its
 * cleanup uses to remove what it created. The slice holds these and what they reference.
 */
export const SLICE_PATHS = ['/rev-users.create', '/dev-users.create', '/rev-users.delete', '/dev-users.deactivate'] as const;
