import type { IncomingMessage } from 'node:http';
import type { AuthScheme, VersionEndpoint } from '../api-model/openapi/version.ts';

/**
 * The simulator's side of serving one documented version (api-model/openapi/version.ts):
 * reading the caller's credential the way the version's security scheme says, and shaping
 * an answer to the version's response schema. The bodies the simulator builds follow the
 * pin; `conform` drops what the version does not know and adds what it requires, so every
 * answer validates against the version's own shapes.
 */
type Node = Record<string, unknown>;
const isObject = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

const cookie = (header: string | undefined, name: string): string => {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return '';
};

/**
 * The credential under one scheme, '' when absent. The Authorization header is read as the
 * pin reads it, whichever scheme describes it: DevRev's one server takes `Bearer <token>`
 * and the bare token alike (its SDK sends the bare one), and the 2024 documents' API-key
 * wording (`Authorization: <token>`) only names the other form. Reading `Bearer x` as a
 * different key from `x` would make the suite's own bearer requests strangers to the
 * tokens it sets up (read-only, throttled): a finding of the simulator, not of the version.
 * Any other header, query parameter or cookie is the key, whole.
 */
export const credentialOf = (scheme: AuthScheme, req: IncomingMessage, bearer: (authorization: string | undefined) => string): string => {
  switch (scheme.kind) {
    case 'none':
      return '';
    case 'bearer':
      return bearer(req.headers.authorization);
    case 'api-key': {
      if (scheme.in === 'header') {
        if (scheme.name.toLowerCase() === 'authorization') return bearer(req.headers.authorization);
        const v = req.headers[scheme.name.toLowerCase()];
        return (Array.isArray(v) ? v[0] : v)?.trim() ?? '';
      }
      if (scheme.in === 'cookie') return cookie(req.headers.cookie, scheme.name);
      const url = new URL(req.url ?? '/', 'http://simulator');
      return url.searchParams.get(scheme.name) ?? '';
    }
  }
};

/** The first credential any alternative finds, and whether the endpoint lets anyone in. */
export const authenticate = (alternatives: readonly AuthScheme[], req: IncomingMessage, bearer: (a: string | undefined) => string) => {
  let token = '';
  for (const s of alternatives) {
    token = credentialOf(s, req, bearer);
    if (token) break;
  }
  return { token, anonymous: alternatives.some((s) => s.kind === 'none') };
};

/** A value of a schema for a field the version requires and the simulator never built. */
const placeholder = (schema: Node, now: string): unknown => {
  if ('const' in schema) return schema['const'];
  if (Array.isArray(schema['enum'])) return schema['enum'][0];
  if (Array.isArray(schema['anyOf'])) return null; // DevRev's nullable: null is documented
  if (Array.isArray(schema['oneOf'])) return conform({}, (schema['oneOf'] as Node[])[0]!, now);
  switch (Array.isArray(schema['type']) ? schema['type'][0] : schema['type']) {
    case 'string':
      return schema['format'] === 'date-time' ? now : '';
    case 'integer':
    case 'number':
      return typeof schema['minimum'] === 'number' ? schema['minimum'] : 0;
    case 'boolean':
      return false;
    case 'array':
      return [];
    default:
      return conform({}, schema, now);
  }
};

const typeFits = (value: unknown, schema: Node): boolean => {
  const t = schema['type'];
  if (t === undefined) return true;
  const types = Array.isArray(t) ? t : [t];
  return types.some((x) =>
    x === 'null'
      ? value === null
      : x === 'array'
        ? Array.isArray(value)
        : x === 'object'
          ? isObject(value)
          : x === 'integer'
            ? Number.isInteger(value)
            : typeof value === x,
  );
};

/** The branch of a discriminated union the value's tag names; else the closest one. */
const branchOf = (value: Node, schema: Node): Node => {
  const tag = (schema['discriminator'] as Node)['propertyName'] as string;
  const branches = schema['oneOf'] as Node[];
  const tagOf = (b: Node) => ((b['properties'] as Node)[tag] as Node)['const'];
  // A tag the version does not know (a newer 400 type): its generic sibling, as DevRev's
  // `bad_request` is, else the first variant.
  return branches.find((b) => tagOf(b) === value[tag]) ?? branches.find((b) => tagOf(b) === 'bad_request') ?? branches[0]!;
};

/**
 * `value` shaped to `schema` (the derived JSON Schema of from-slice.ts): properties the
 * schema does not list are dropped, required ones it lacks are added, a scalar outside an
 * enum becomes the enum's first value. Free-form maps (custom_fields) pass unchanged.
 */
export const conform = (value: unknown, schema: Node, now: string): unknown => {
  if (Array.isArray(schema['anyOf'])) {
    if (value === null) return null;
    const branch = (schema['anyOf'] as Node[]).find((b) => b['type'] !== 'null') ?? {};
    return conform(value, branch, now);
  }
  if (Array.isArray(schema['oneOf'])) {
    const branches = schema['oneOf'] as Node[];
    if (isObject(schema['discriminator']) && isObject(value)) return conform(value, branchOf(value, schema), now);
    return conform(value, branches.find((b) => typeFits(value, b)) ?? branches[0]!, now);
  }
  if ('const' in schema && value !== schema['const']) return schema['const'];
  if (Array.isArray(schema['enum']) && !schema['enum'].includes(value)) return schema['enum'][0];
  if (!typeFits(value, schema)) return placeholder(schema, now);
  if (Array.isArray(value)) return isObject(schema['items']) ? value.map((v) => conform(v, schema['items'] as Node, now)) : value;
  if (!isObject(value) || schema['x-free-form'] === true) return value;
  const props = (schema['properties'] ?? {}) as Record<string, Node>;
  if (!schema['properties']) return value;
  const out: Node = {};
  for (const [k, v] of Object.entries(value)) if (props[k]) out[k] = conform(v, props[k], now);
  for (const k of (schema['required'] as string[] | undefined) ?? []) if (!(k in out) && props[k]) out[k] = placeholder(props[k], now);
  return out;
};

/** The answer as the version documents it for this endpoint and status; unchanged when it states no shape. */
export const conformAnswer = (endpoint: VersionEndpoint, status: number, body: unknown): unknown => {
  const schema = endpoint.spec.responses[status] as Node | undefined;
  return schema ? conform(body, schema, new Date().toISOString()) : body;
};
