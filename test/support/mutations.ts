import { createdUser, editUser, type Exchange, type Interceptor, type Rewrite, type Rewriter } from './mutating-proxy.ts';

/**
 * The project's own mutation catalogue: changes to the simulator's real answers that a
 * provider or its infrastructure could make. `harmless` ones keep every documented promise
 * (the gate must pass); `breaking` ones break one (the gate must fail). Used by
 * `npm run bench:mutations`, which prints how many of each the gate got wrong.
 */
export interface Mutation {
  name: string;
  kind: 'harmless' | 'breaking';
  /** Why it is harmless or breaking, in the documents' terms. */
  why: string;
  rewrite?: Rewriter;
  intercept?: () => Interceptor;
}

const isCreate = (x: { path: string }) => /users\.create$/.test(x.path);
const json = (x: Exchange): Record<string, unknown> | undefined =>
  x.body && typeof x.body === 'object' && !Array.isArray(x.body) ? (x.body as Record<string, unknown>) : undefined;
const editError = (x: Exchange, status: number, edit: (body: Record<string, unknown>) => void): Rewrite | undefined => {
  const body = json(x);
  if (x.status !== status || !body) return undefined;
  const copy = structuredClone(body);
  edit(copy);
  return { body: copy };
};
/** Edits as functions: set a field (only where it exists, with `present`), or drop one. */
const set =
  (key: string, value: unknown, present = false) =>
  (o: Record<string, unknown>) => {
    if (!present || key in o) o[key] = value;
  };
const drop = (key: string) => (o: Record<string, unknown>) => {
  delete o[key];
};

/** Once per proxy: the first create under a token answers `status` without reaching the provider. */
const onceTransient = (status: 429 | 503): (() => Interceptor) => () => {
  let done = false;
  return (r) => {
    if (done || !isCreate(r) || r.requestHeaders.authorization === undefined) return undefined;
    done = true;
    return status === 429
      ? { status, headers: { 'retry-after': '1' }, body: { type: 'too_many_requests', message: 'slow down', retry_after: 1 } }
      : { status, body: { type: 'service_unavailable', message: 'try again' } };
  };
};

export const MUTATIONS: Mutation[] = [
  // Harmless: infrastructure and additive changes.
  { name: 'gzip answers', kind: 'harmless', why: 'Content-Encoding is transport', rewrite: () => ({ encoding: 'gzip' }) },
  { name: 'deflate answers', kind: 'harmless', why: 'Content-Encoding is transport', rewrite: () => ({ encoding: 'deflate' }) },
  { name: 'brotli answers', kind: 'harmless', why: 'Content-Encoding is transport', rewrite: () => ({ encoding: 'br' }) },
  { name: 'chunked answers', kind: 'harmless', why: 'Transfer-Encoding is transport', rewrite: () => ({ chunked: true }) },
  { name: '300 ms slower', kind: 'harmless', why: 'no latency is documented', rewrite: () => ({ delayMs: 300 }) },
  { name: 'one transient 429', kind: 'harmless', why: 'a 429 with Retry-After asks for a retry', intercept: onceTransient(429) },
  { name: 'one transient 503', kind: 'harmless', why: '503 is documented as temporary', intercept: onceTransient(503) },
  {
    name: 'undocumented field added to users',
    kind: 'harmless',
    why: 'additive: extra properties are allowed (info only)',
    rewrite: (x) => editUser(x, set('x_new_field', 'new')),
  },
  { name: 'extra response header', kind: 'harmless', why: 'headers not in the document are allowed', rewrite: () => ({ headers: { 'x-request-id': 'abc123' } }) },
  {
    name: 'content-type with charset',
    kind: 'harmless',
    why: 'application/json; charset=utf-8 is application/json',
    rewrite: (x) => (x.headers['content-type'] ? { headers: { 'content-type': 'application/json; charset=utf-8' } } : undefined),
  },
  { name: 'pretty-printed JSON', kind: 'harmless', why: 'whitespace is not content', rewrite: (x) => (json(x) ? { body: JSON.stringify(x.body, null, 2) } : undefined) },
  {
    name: 'body keys in reverse order',
    kind: 'harmless',
    why: 'JSON objects are unordered',
    rewrite: (x) => {
      const b = json(x);
      return b ? { body: Object.fromEntries(Object.entries(b).reverse()) } : undefined;
    },
  },
  { name: 'display_id dropped', kind: 'harmless', why: 'display_id is optional in the document', rewrite: (x) => editUser(x, drop('display_id')) },
  { name: 'reference_id dropped from 500', kind: 'harmless', why: 'error-internal-server-error requires only type', rewrite: (x) => editError(x, 500, drop('reference_id')) },
  { name: 'message dropped from 400', kind: 'harmless', why: 'error-base requires nothing; type is the only required field', rewrite: (x) => editError(x, 400, drop('message')) },
  { name: 'Date header removed', kind: 'harmless', why: 'no Date header is documented', rewrite: () => ({ headers: { date: null } }) },

  // Breaking: each breaks one documented promise.
  { name: 'id dropped', kind: 'breaking', why: 'id is required', rewrite: (x) => editUser(x, drop('id')) },
  {
    name: 'envelope renamed to user',
    kind: 'breaking',
    why: 'rev_user / dev_user is required',
    rewrite: (x) => {
      const b = json(x);
      if (!createdUser(x) || !b) return undefined;
      const { rev_user, dev_user, ...rest } = b;
      return { body: { ...rest, user: rev_user ?? dev_user } };
    },
  },
  { name: 'id becomes a number', kind: 'breaking', why: 'id is a string', rewrite: (x) => editUser(x, set('id', 42)) },
  { name: '201 becomes 200', kind: 'breaking', why: 'the creates answer 201', rewrite: (x) => (x.status === 201 ? { status: 200 } : undefined) },
  { name: 'text/plain answers', kind: 'breaking', why: 'every answer is application/json', rewrite: () => ({ headers: { 'content-type': 'text/plain' } }) },
  { name: '400 without type', kind: 'breaking', why: 'error-bad-request requires type', rewrite: (x) => editError(x, 400, drop('type')) },
  { name: '400 type unknown', kind: 'breaking', why: 'type is a closed discriminator', rewrite: (x) => editError(x, 400, set('type', 'weird_error')) },
  { name: 'dev user state unknown', kind: 'breaking', why: 'state is a closed enum', rewrite: (x) => editUser(x, set('state', 'zombie', true)) },
  { name: 'created_date not a date-time', kind: 'breaking', why: 'created_date is date-time', rewrite: (x) => editUser(x, set('created_date', 'yesterday', true)) },
  { name: 'display_name null', kind: 'breaking', why: 'display_name is a string, never null', rewrite: (x) => editUser(x, set('display_name', null)) },
  { name: '400 becomes 422', kind: 'breaking', why: '422 is not documented', rewrite: (x) => (x.status === 400 ? { status: 422 } : undefined) },
  { name: 'no-token 401 becomes 403', kind: 'breaking', why: 'a missing token is documented as 401', rewrite: (x) => (x.status === 401 ? { status: 403, body: { type: 'forbidden', message: 'no' } } : undefined) },
  { name: '429 without Retry-After', kind: 'breaking', why: 'the rate-limits page: a 429 carries Retry-After', rewrite: (x) => (x.status === 429 ? { headers: { 'retry-after': null } } : undefined) },
  {
    name: 'retry_after disagrees with Retry-After',
    kind: 'breaking',
    why: 'both say the same wait',
    rewrite: (x) => editError(x, 429, set('retry_after', 999)),
  },
  {
    name: 'X-RateLimit-Reset in milliseconds',
    kind: 'breaking',
    why: 'the rate-limits page: Reset is in seconds from the Unix epoch',
    rewrite: (x) => (x.headers['x-ratelimit-reset'] ? { headers: { 'x-ratelimit-reset': String(Number(x.headers['x-ratelimit-reset']) * 1000) } } : undefined),
  },
  { name: 'process exits mid-run', kind: 'breaking', why: 'a dead port answers nothing', rewrite: (x) => (x.n === 12 ? { die: true } : undefined) },
  {
    name: 'created_by loses type',
    kind: 'breaking',
    why: 'user-summary requires type',
    rewrite: (x) => editUser(x, (u) => {
        if (u['created_by']) drop('type')(u['created_by'] as Record<string, unknown>);
      }),
  },
  {
    name: '500 body is HTML',
    kind: 'breaking',
    why: 'error bodies are JSON objects',
    rewrite: (x) => (x.status === 500 ? { headers: { 'content-type': 'text/html' }, body: '<html><body>Internal error</body></html>' } : undefined),
  },
  {
    name: 'phone_numbers becomes a string',
    kind: 'breaking',
    why: 'phone_numbers is an array',
    rewrite: (x) => editUser(x, (u) => {
        if (Array.isArray(u['phone_numbers'])) u['phone_numbers'] = String(u['phone_numbers'][0] ?? '');
      }),
  },
  {
    name: '401 body is HTML',
    kind: 'breaking',
    why: 'error bodies are JSON objects',
    rewrite: (x) => (x.status === 401 ? { headers: { 'content-type': 'text/html' }, body: '<html>Unauthorized</html>' } : undefined),
  },
];
