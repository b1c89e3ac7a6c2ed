import type { TSchema } from '@sinclair/typebox';
import { UsageError } from '../../core/errors.ts';
import { convertSchema, SliceSchemaError } from '../shapes/from-slice.ts';
import { endpointModels } from '../endpoints/index.ts';
import type { EndpointSpec } from '../shapes/endpoints.ts';
import { describeSource, type LoadedDocument, loadDocument, type OpenApiDocument } from './document.ts';
import { extractSlice } from './extract.ts';
import { at, refTokens } from './pointer.ts';
import { SLICE_PATHS } from './slice-paths.ts';

/**
 * One published version of DevRev's API as its document states it, for the simulator to
 * serve (`serve --openapi FILE`): which of the suite's endpoints it has, each one's request
 * schema, whether its request body is required, its response shapes by status, and how a
 * caller authenticates. Everything is read from the document through the same slice
 * extraction `spec pin` uses and the same schema derivation as the pin; nothing is restated.
 * The prose rules (E.164, custom_schema_spec, rate limits) are not in any document, so the
 * simulator keeps applying them to every version.
 */

/** How a caller presents its token, from the document's security scheme. */
export type AuthScheme =
  /** `http` bearer (and oauth2/openIdConnect): `Authorization: Bearer <token>`. */
  | { kind: 'bearer' }
  /** `apiKey`: the whole value of a header, query parameter or cookie is the key. */
  | { kind: 'api-key'; in: 'header' | 'query' | 'cookie'; name: string }
  /** The document requires nothing (no `security`, or an empty requirement). */
  | { kind: 'none' };

export interface VersionEndpoint {
  /** The pinned endpoint's request and response schemas replaced by this version's. */
  spec: EndpointSpec;
  /** `requestBody.required`: OpenAPI's default is false, so an absent body is allowed. */
  bodyRequired: boolean;
  /** Alternatives, any one of which authenticates (OpenAPI's `security` list). */
  auth: AuthScheme[];
}

export interface VersionView {
  /** The file and its sha256, for the `serve` banner and reports. */
  source: string;
  /** By path; only the suite's endpoints this version documents. */
  endpoints: ReadonlyMap<string, VersionEndpoint>;
  /** The document-wide requirement, for paths the version lacks (still rate-limited per user). */
  auth: AuthScheme[];
}

// Every call the model makes: each create and the call that removes what it created.
const pinnedCalls = (): EndpointSpec[] => endpointModels().flatMap((m) => [m.spec, m.cleanup.endpoint]);

type Node = Record<string, unknown>;
const isObject = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A `$ref`'d response or request body resolved to its target (one level is all DevRev uses). */
const deref = (doc: OpenApiDocument, v: unknown): unknown => {
  for (let i = 0; i < 8 && isObject(v) && typeof v['$ref'] === 'string'; i++) {
    const tokens = refTokens(v['$ref']);
    v = tokens ? at(doc, tokens) : undefined;
  }
  return v;
};

const jsonSchemaOf = (doc: OpenApiDocument, holder: unknown): Node | undefined => {
  const content = (deref(doc, holder) as Node | undefined)?.['content'];
  const schema = isObject(content) ? (content['application/json'] as Node | undefined)?.['schema'] : undefined;
  return isObject(schema) ? schema : undefined;
};

const schemeOf = (doc: OpenApiDocument, name: string, file: string): AuthScheme => {
  const s = deref(doc, at(doc, ['components', 'securitySchemes', name]));
  if (!isObject(s)) throw new UsageError(`${file}: security names scheme ${JSON.stringify(name)}, which components.securitySchemes lacks`);
  const type = s['type'];
  if (type === 'http' && String(s['scheme']).toLowerCase() === 'bearer') return { kind: 'bearer' };
  if (type === 'oauth2' || type === 'openIdConnect') return { kind: 'bearer' };
  if (type === 'apiKey' && ['header', 'query', 'cookie'].includes(String(s['in'])) && typeof s['name'] === 'string' && s['name'] !== '') {
    return { kind: 'api-key', in: s['in'] as 'header' | 'query' | 'cookie', name: s['name'] };
  }
  throw new UsageError(`${file}: security scheme ${JSON.stringify(name)} (${JSON.stringify(type)}${s['scheme'] ? ` ${String(s['scheme'])}` : ''}) is not one the simulator can check (bearer or apiKey)`);
};

/** OpenAPI's `security`: a list of alternatives; `[]` or an empty requirement lets anyone in. */
const authOf = (doc: OpenApiDocument, security: unknown, file: string): AuthScheme[] => {
  if (!Array.isArray(security) || security.length === 0) return [{ kind: 'none' }];
  return security.map((req) => {
    const names = isObject(req) ? Object.keys(req) : [];
    // A requirement naming several schemes needs all of them; DevRev's documents name one.
    if (names.length === 0) return { kind: 'none' } as const;
    if (names.length > 1) throw new UsageError(`${file}: a security requirement combining ${names.join(' and ')} is not supported`);
    return schemeOf(doc, names[0]!, file);
  });
};

const convert = (schema: Node, components: Record<string, Node>, file: string, where: string): TSchema => {
  try {
    return convertSchema(schema, components) as unknown as TSchema;
  } catch (e) {
    if (e instanceof SliceSchemaError) throw new UsageError(`${file}: ${where}: ${e.message}`);
    throw e;
  }
};

/** The view of one parsed document; `file` names it in every error line. */
export const versionView = (loaded: Pick<LoadedDocument, 'doc' | 'file' | 'sha256'>): VersionView => {
  const { doc, file } = loaded;
  const present = SLICE_PATHS.filter((p) => isObject(doc.paths[p]) && isObject((doc.paths[p] as Node)['post']));
  if (present.length === 0) throw new UsageError(`${file}: documents none of ${SLICE_PATHS.join(', ')}`);
  let slice: OpenApiDocument;
  try {
    // The same extraction `spec pin` runs: it checks every $ref the endpoints reach.
    slice = extractSlice(doc, present, { file, sha256: loaded.sha256, commit: null, date: null });
  } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`${file}: ${e.message}`, e.hint);
    throw e;
  }
  const components = ((slice['components'] as Node | undefined)?.['schemas'] ?? {}) as Record<string, Node>;
  const docAuth = authOf(slice, slice['security'], file);
  const endpoints = new Map<string, VersionEndpoint>();
  for (const path of present) {
    const pinned = pinnedCalls().find((e) => e.path === path)!;
    const op = (slice.paths[path] as Node)['post'] as Node;
    const requestBody = deref(slice, op['requestBody']) as Node | undefined;
    const requestSchema = jsonSchemaOf(slice, requestBody);
    const responses: Record<number, TSchema> = {};
    for (const [status, response] of Object.entries(isObject(op['responses']) ? op['responses'] : {})) {
      if (!/^\d{3}$/.test(status)) continue;
      const schema = jsonSchemaOf(slice, response);
      if (schema) responses[Number(status)] = convert(schema, components, file, `${path} response ${status}`);
    }
    const success = Object.keys(responses).map(Number).find((s) => s >= 200 && s < 300);
    if (success === undefined) throw new UsageError(`${file}: ${path} documents no 2xx answer with a JSON body`);
    endpoints.set(path, {
      spec: {
        name: pinned.name,
        path,
        // No request schema: any JSON object, as far as the document says.
        request: requestSchema ? convert(requestSchema, components, file, `${path} request body`) : ({ type: 'object' } as unknown as TSchema),
        envelope: pinned.envelope,
        successStatus: success,
        responses,
      },
      bodyRequired: requestBody?.['required'] === true,
      auth: op['security'] !== undefined ? authOf(slice, op['security'], file) : docAuth,
    });
  }
  return { source: describeSource({ file, doc, sha256: loaded.sha256 }), endpoints, auth: docAuth };
};

/** `--openapi FILE`: a whole published document or a slice, YAML or JSON. */
export const loadVersion = (file: string): VersionView => versionView(loadDocument(file));
