// The documented shapes: one source of truth for the simulator, the Pact matchers, the
// drift check and the property oracles. The schemas validated at run time are the ones
// derived from the committed slice (endpoints.ts); they shadow the hand-written TypeBox
// declarations of the same name, which users.ts and errors.ts keep for their static types.
export * from './common.ts';
export {
  DevUsersCreateRequest,
  DevUsersCreateResponse,
  DevUsersDeactivateRequest,
  DevUsersDeactivateResponse,
  ErrorBadRequest,
  ErrorConflict,
  ErrorForbidden,
  ErrorInternalServerError,
  ErrorNotFound,
  ErrorServiceUnavailable,
  ErrorTooManyRequests,
  ErrorUnauthorized,
  RevUsersCreateRequest,
  RevUsersCreateResponse,
  RevUsersDeleteRequest,
  RevUsersDeleteResponse,
} from './endpoints.ts';
export * from './endpoints.ts';
export * from './errors.ts';
export * from './headers.ts';
export * from './users.ts';
export * from './validate.ts';
export * from './views.ts';
export type { Static } from '@sinclair/typebox';
