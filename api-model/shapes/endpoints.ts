import type { TSchema } from '@sinclair/typebox';
import { sliceInfo } from '../openapi/slice.ts';
import {
  ErrorBadRequest as ErrorBadRequestType,
  ErrorConflict as ErrorConflictType,
  ErrorForbidden as ErrorForbiddenType,
  ErrorInternalServerError as ErrorInternalServerErrorType,
  ErrorNotFound as ErrorNotFoundType,
  ErrorServiceUnavailable as ErrorServiceUnavailableType,
  ErrorTooManyRequests as ErrorTooManyRequestsType,
  ErrorUnauthorized as ErrorUnauthorizedType,
} from './errors.ts';
import {
  DevUsersCreateRequest as DevUsersCreateRequestType,
  DevUsersCreateResponse as DevUsersCreateResponseType,
  DevUsersDeactivateRequest as DevUsersDeactivateRequestType,
  DevUsersDeactivateResponse as DevUsersDeactivateResponseType,
  RevUsersCreateRequest as RevUsersCreateRequestType,
  RevUsersCreateResponse as RevUsersCreateResponseType,
  RevUsersDeleteRequest as RevUsersDeleteRequestType,
  RevUsersDeleteResponse as RevUsersDeleteResponseType,
} from './users.ts';
import { sliceSchema } from './from-slice.ts';

/**
 * What the runtime validates with: the schema of a component of the committed slice, derived
 * at load time (from-slice.ts). The hand-written TypeBox declaration of the same component
 * only lends its static type (Static<>); test/api-model/derived-shapes.test.ts keeps the two
 * in agreement, so a re-pinned slice that changes a shape fails there, not in a type.
 */
const fromSlice = <T extends TSchema>(typed: T): T => sliceSchema(String(typed.title)) as unknown as T;

export const RevUsersCreateRequest = fromSlice(RevUsersCreateRequestType);
export const DevUsersCreateRequest = fromSlice(DevUsersCreateRequestType);
export const RevUsersCreateResponse = fromSlice(RevUsersCreateResponseType);
export const DevUsersCreateResponse = fromSlice(DevUsersCreateResponseType);
export const RevUsersDeleteRequest = fromSlice(RevUsersDeleteRequestType);
export const RevUsersDeleteResponse = fromSlice(RevUsersDeleteResponseType);
export const DevUsersDeactivateRequest = fromSlice(DevUsersDeactivateRequestType);
export const DevUsersDeactivateResponse = fromSlice(DevUsersDeactivateResponseType);
export const ErrorBadRequest = fromSlice(ErrorBadRequestType);
export const ErrorUnauthorized = fromSlice(ErrorUnauthorizedType);
export const ErrorForbidden = fromSlice(ErrorForbiddenType);
export const ErrorConflict = fromSlice(ErrorConflictType);
export const ErrorTooManyRequests = fromSlice(ErrorTooManyRequestsType);
export const ErrorInternalServerError = fromSlice(ErrorInternalServerErrorType);
export const ErrorServiceUnavailable = fromSlice(ErrorServiceUnavailableType);
export const ErrorNotFound = fromSlice(ErrorNotFoundType);

/**
 * The documents this suite pins; reports print it so a reader knows what "documented" meant.
 * Commit and date are the committed slice's own record of its source, never restated.
 */
const pinned = sliceInfo().source;
export const PINNED_SNAPSHOT = {
  source: `devrev/fern-api-docs ${pinned.file} + "Create Rev User" / "Create Dev User" pages`,
  commit: pinned.commit ?? `sha256:${pinned.sha256.slice(0, 12)}`,
  date: pinned.date ?? 'unknown',
} as const;

export interface EndpointSpec {
  readonly name: string;
  readonly path: string;
  readonly request: TSchema;
  /** Key of the 201 envelope (`rev_user`, `dev_user`); null for endpoints that answer `{}`. */
  readonly envelope: string | null;
  readonly successStatus: number;
  readonly responses: Readonly<Record<number, TSchema>>;
}

/** The error statuses every create and cleanup call documents, by status. */
export const COMMON_ERRORS = {
  400: ErrorBadRequest,
  401: ErrorUnauthorized,
  403: ErrorForbidden,
  429: ErrorTooManyRequests,
  500: ErrorInternalServerError,
  503: ErrorServiceUnavailable,
} as const;

export const REV_USERS_CREATE = {
  name: 'rev-users.create',
  path: '/rev-users.create',
  request: RevUsersCreateRequest,
  envelope: 'rev_user',
  successStatus: 201,
  responses: { 201: RevUsersCreateResponse, ...COMMON_ERRORS, 409: ErrorConflict },
} as const satisfies EndpointSpec;

// dev-users.create documents no 409: a duplicate email has no documented answer.
export const DEV_USERS_CREATE = {
  name: 'dev-users.create',
  path: '/dev-users.create',
  request: DevUsersCreateRequest,
  envelope: 'dev_user',
  successStatus: 201,
  responses: { 201: DevUsersCreateResponse, ...COMMON_ERRORS },
} as const satisfies EndpointSpec;

export type { CreateEndpointName } from '../openapi/slice-paths.ts';

// What a run against a real deployment calls to remove the users it created. Both also
// document 404; rev users are deleted, dev users can only be deactivated.
export const REV_USERS_DELETE = {
  name: 'rev-users.delete',
  path: '/rev-users.delete',
  request: RevUsersDeleteRequest,
  envelope: null,
  successStatus: 200,
  responses: { 200: RevUsersDeleteResponse, ...COMMON_ERRORS, 404: ErrorNotFound },
} as const satisfies EndpointSpec;

export const DEV_USERS_DEACTIVATE = {
  name: 'dev-users.deactivate',
  path: '/dev-users.deactivate',
  request: DevUsersDeactivateRequest,
  envelope: null,
  successStatus: 200,
  responses: { 200: DevUsersDeactivateResponse, ...COMMON_ERRORS, 404: ErrorNotFound },
} as const satisfies EndpointSpec;

export const documentedStatuses = (endpoint: EndpointSpec): number[] =>
  Object.keys(endpoint.responses).map(Number).sort((a, b) => a - b);
