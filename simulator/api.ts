import { checkRequest } from '../api-model/prose-rules/index.ts';
import { CLEANUP_PATHS, CREATE_PATHS, type CleanupEndpointName, type CreateEndpointName } from '../api-model/openapi/slice-paths.ts';
import {
  DEV_USERS_CREATE,
  DEV_USERS_DEACTIVATE,
  type EndpointSpec,
  REV_USERS_CREATE,
  REV_USERS_DELETE,
} from '../api-model/shapes/endpoints.ts';
import { buildDevUser, buildRevUser, type CallerSummary } from './bodies.ts';
import { badRequest, conflict, notFound, violationBody } from './errors.ts';
import type { UserStore } from './store.ts';

/**
 * What each documented endpoint does once the request is authenticated, authorised and
 * parsed: the request rules (api-model/prose-rules, the same oracle the checks use), uniqueness,
 * then the documented success body.
 */
type Json = Record<string, unknown>;

export interface Answer {
  status: number;
  body: unknown;
}

export interface ApiContext {
  store: UserStore;
  devOrg: string;
  caller: CallerSummary;
  /** The served version's endpoint (its request schema); undefined: the pin's. */
  spec?: EndpointSpec | undefined;
}

export type Route = (body: unknown, ctx: ApiContext) => Answer;

let lastMs = 0;
let lastIso = '';
/** The current time in ISO 8601; one Date per millisecond is enough. */
const isoNow = () => {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
};

const firstViolation = (pinned: EndpointSpec, body: unknown, served?: EndpointSpec): Answer | null => {
  const violations = checkRequest(served ?? pinned, body);
  const first = violations[0];
  return first ? { status: 400, body: violationBody(first) } : null;
};

const revUsersCreate: Route = (body, { store, devOrg, caller, spec }) => {
  const invalid = firstViolation(REV_USERS_CREATE, body, spec);
  if (invalid) return invalid;
  const req = body as Json;
  const refs: string[] = [];
  if (typeof req['external_ref'] === 'string') refs.push(req['external_ref']);
  if (Array.isArray(req['external_refs'])) refs.push(...(req['external_refs'] as string[]));
  for (const ref of refs) {
    if (store.refTaken(ref)) return { status: 409, body: conflict(`external_ref ${JSON.stringify(ref).slice(0, 200)}`) };
  }
  const seq = store.nextRevSeq();
  const user = buildRevUser(devOrg, seq, req, caller, isoNow());
  const generated = user['external_ref'] as string;
  if (!refs.includes(generated)) refs.push(generated);
  store.addRev({ id: user['id'] as string, displayId: user['display_id'] as string, state: 'active', holds: refs });
  return { status: 201, body: { rev_user: user } };
};

const devUsersCreate: Route = (body, { store, devOrg, caller, spec }) => {
  const invalid = firstViolation(DEV_USERS_CREATE, body, spec);
  if (invalid) return invalid;
  const req = body as Json;
  const email = req['email'] as string;
  // A dev user's email identifies its account, so a second one cannot be created. The
  // endpoint documents no 409, so the answer is the documented 400 whose fields describe
  // the breach: value_not_permitted on `email`. (Runs make their emails unique with the
  // run id, so a valid case only meets this when it repeats itself.)
  if (store.emailTaken(email)) {
    return {
      status: 400,
      body: badRequest('value_not_permitted', 'a Dev user with this email already exists', {
        field_name: 'email',
        reason: 'email already in use by another Dev user',
      }),
    };
  }
  const n = store.nextDevSeq();
  const user = buildDevUser(devOrg, n, req, caller, isoNow());
  store.addDev({ id: user['id'] as string, displayId: user['display_id'] as string, state: 'shadow', holds: [email.toLowerCase()] });
  return { status: 201, body: { dev_user: user } };
};

const revUsersDelete: Route = (body, { store, spec }) => {
  const invalid = firstViolation(REV_USERS_DELETE, body, spec);
  if (invalid) return invalid;
  const id = (body as Json)['id'] as string;
  const user = store.find('rev', id);
  if (!user) return { status: 404, body: notFound(id) };
  store.deleteRev(user);
  return { status: 200, body: {} };
};

const devUsersDeactivate: Route = (body, { store, spec }) => {
  const invalid = firstViolation(DEV_USERS_DEACTIVATE, body, spec);
  if (invalid) return invalid;
  const id = (body as Json)['id'] as string;
  const user = store.find('dev', id);
  if (!user) return { status: 404, body: notFound(id) };
  user.state = 'deactivated';
  return { status: 200, body: {} };
};

/** Every documented route the simulator serves; all are POST with a JSON body. */
// Exhaustive: a create path added to the slice (CREATE_PATHS) must get its handler here.
const CREATE_ROUTES: Record<CreateEndpointName, Route> = {
  'rev-users.create': revUsersCreate,
  'dev-users.create': devUsersCreate,
};

/**
 * How each create endpoint marks a value of its own unique field taken (the "unique value
 * is taken" provider state): false when `field` is not one of its unique fields.
 */
const TAKE_UNIQUE: Record<CreateEndpointName, (store: UserStore, field: string, value: string) => boolean> = {
  // external_ref and external_refs entries share one namespace.
  'rev-users.create': (store, field, value) => {
    if (field !== 'external_ref' && field !== 'external_refs') return false;
    store.reserveRef(value);
    return true;
  },
  'dev-users.create': (store, field, value) => {
    if (field !== 'email') return false;
    store.reserveEmail(value);
    return true;
  },
};

export const takeUniqueValue = (store: UserStore, endpoint: string, field: string, value: string): boolean =>
  Object.hasOwn(TAKE_UNIQUE, endpoint) && TAKE_UNIQUE[endpoint as CreateEndpointName](store, field, value);

// Exhaustive, like CREATE_ROUTES: a cleanup path added to the slice must get its route here.
const CLEANUP_ROUTES: Record<CleanupEndpointName, Route> = {
  'rev-users.delete': revUsersDelete,
  'dev-users.deactivate': devUsersDeactivate,
};

const nameOf = <N extends string>(path: `/${N}`): N => path.slice(1) as N;

export const ROUTES: ReadonlyMap<string, Route> = new Map([
  ...CREATE_PATHS.map((p): [string, Route] => [p, CREATE_ROUTES[nameOf(p)]]),
  ...CLEANUP_PATHS.map((p): [string, Route] => [p, CLEANUP_ROUTES[nameOf(p)]]),
]);
