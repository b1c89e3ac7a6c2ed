import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { OpenApiDocument } from '../api-model/openapi/document.ts';
import { extractSlice } from '../api-model/openapi/extract.ts';
import { escapeToken } from '../api-model/openapi/pointer.ts';
import { SPEC_DIFF_RULES, type SpecDiffRuleId } from '../api-model/rulebook/spec-diff.ts';
import { UsageError } from '../core/errors.ts';
import { PACT_FILE } from '../core/pact-names.ts';
import { type CheckResult, type FailOnName, type Finding, outcomeOf, type PillarName } from '../core/results.ts';
import { isObject, presentPaths, type SpecSide, sideOf } from './resolve.ts';
import { viewOf } from './schema-view.ts';

/** The committed pact: what the consumer (an integrator through DevRev's SDK) relies on. */
export const COMMITTED_PACT = fileURLToPath(new URL(`../pacts/${PACT_FILE}`, import.meta.url));

const VARIANT_SUFFIX = '--as-variant-of--';

/**
 * The document as @pactflow/openapi-pact-comparator must see it so that what it reports
 * is true of DevRev's document. Out of the box it reads DevRev's schemas more strictly
 * than they mean, and reports 27 errors on a pact that fits:
 *
 * - It closes every response object (`additionalProperties: false`) branch by branch, so
 *   a discriminated variant (`dev-user-summary` under `user-summary`, the empty
 *   `error-*-*` variants DevRev closes itself) rejects the properties its parent declares
 *   (`type`, `retry_after`, `reference_id`). In OpenAPI a variant is read together with
 *   its parent: each variant here is replaced by itself plus the parent's properties, so
 *   a property neither declares is still reported.
 * - It closes free-form objects too (`custom_fields`: `type: object`, no properties),
 *   which the document leaves open to any key: they say so explicitly here.
 * - The pact records the Authorization header redacted, so its scheme prefix is not in
 *   the file (DevRev's SDK sends the token without `Bearer`): only its presence is checked.
 *
 * Only the suite's paths and what they reach are given to it (a copy; the input is not
 * changed), which also keeps it fast on a whole published document.
 */
export const comparatorView = (side: SpecSide): OpenApiDocument => {
  const slice = structuredClone(extractSlice(side.doc, presentPaths(side.doc), { file: side.file, sha256: '', commit: null, date: null })) as OpenApiDocument;
  const info = isObject(slice['info']) ? slice['info'] : {};
  slice['info'] = { ...info, 'x-opc-config-no-authorization-schema': true };
  const sliced = sideOf(side.label, side.file, slice);
  const schemas = (isObject(slice['components']) && isObject(slice['components']['schemas']) ? slice['components']['schemas'] : {}) as Record<string, unknown>;
  openFreeForm(slice);
  for (const [name, schema] of Object.entries({ ...schemas })) {
    if (name.includes(VARIANT_SUFFIX)) continue;
    inheritParent(sliced, schemas, name, schema);
  }
  return slice;
};

const walk = (v: unknown, visit: (o: Record<string, unknown>) => void): void => {
  if (Array.isArray(v)) for (const x of v) walk(x, visit);
  else if (isObject(v)) {
    visit(v);
    for (const x of Object.values(v)) walk(x, visit);
  }
};

const openFreeForm = (doc: OpenApiDocument): void =>
  walk(doc, (o) => {
    const free =
      o['type'] === 'object' &&
      o['properties'] === undefined &&
      o['additionalProperties'] === undefined &&
      o['patternProperties'] === undefined &&
      o['allOf'] === undefined &&
      o['oneOf'] === undefined &&
      o['anyOf'] === undefined;
    // `{}` rather than `true`: the comparator closes `true` like a missing key.
    if (free) o['additionalProperties'] = {};
  });

/** Finds the object holding a discriminated `oneOf` in a component: itself or an allOf branch. */
const discriminated = (schema: unknown): Record<string, unknown> | null => {
  if (!isObject(schema)) return null;
  if (Array.isArray(schema['oneOf']) && isObject(schema['discriminator'])) return schema;
  if (Array.isArray(schema['allOf'])) for (const b of schema['allOf']) if (isObject(b) && Array.isArray(b['oneOf']) && isObject(b['discriminator'])) return b;
  return null;
};

const inheritParent = (side: SpecSide, schemas: Record<string, unknown>, name: string, schema: unknown): void => {
  const holder = discriminated(schema);
  if (!holder) return;
  const parent = viewOf(side, { node: { $ref: `#/components/schemas/${escapeToken(name)}` }, tokens: [] });
  const properties = Object.fromEntries([...parent.properties].map(([k, loc]) => [k, loc.node]));
  const renamed = new Map<string, string>();
  holder['oneOf'] = (holder['oneOf'] as unknown[]).map((v) => {
    const ref = isObject(v) && typeof v['$ref'] === 'string' ? v['$ref'] : null;
    if (!ref?.startsWith('#/components/schemas/')) return v;
    const variant = ref.slice('#/components/schemas/'.length);
    const synthetic = `${variant}${VARIANT_SUFFIX}${name}`;
    schemas[synthetic] = { allOf: [{ $ref: ref }, { type: 'object', properties }] };
    renamed.set(ref, `#/components/schemas/${synthetic}`);
    return { $ref: `#/components/schemas/${synthetic}` };
  });
  const disc = holder['discriminator'] as Record<string, unknown>;
  if (isObject(disc['mapping'])) {
    disc['mapping'] = Object.fromEntries(Object.entries(disc['mapping']).map(([k, r]) => [k, typeof r === 'string' ? (renamed.get(r) ?? r) : r]));
  }
};

interface OpcResult {
  code: string;
  message: string;
  type: 'error' | 'warning' | 'info';
  mockDetails?: { interactionDescription?: string | null; location: string; value: unknown };
  specDetails?: { location: string; pathMethod?: string | null; pathName?: string | null; value: unknown };
}

const ruleOf = (code: string): SpecDiffRuleId => {
  if (code === 'request.path-or-method.unknown') return 'pact-operation-undocumented';
  if (code === 'response.status.unknown') return 'pact-status-undocumented';
  return code.startsWith('request.') ? 'pact-request-incompatible' : 'pact-response-incompatible';
};

/** `[root].interactions[3].response.body.rev_user.tags[0]` → `/rev_user/tags/0`, plus the extra property a closed object rejected. */
export const bodyPointer = (location: string, message: string): string => {
  const m = /\.(?:request|response)\.body(.*)$/.exec(location);
  let rest = m ? m[1]! : '';
  const tokens = rest.replace(/\[(\d+)\]/g, '.$1').split('.').filter(Boolean);
  const extra = / - ([^\s]+)$/.exec(message);
  if (/additional properties/.test(message) && extra) tokens.push(extra[1]!);
  rest = tokens.map((t) => `/${escapeToken(t)}`).join('');
  return rest;
};

/** `[root].paths./x.post.responses.201…schema.components.schemas.a--as-variant-of--b.additionalProperties` → a document pointer. */
export const documentPointer = (spec: OpcResult['specDetails']): string | null => {
  if (!spec) return null;
  const comp = /\.components\.schemas\.([^.]+)(.*)$/.exec(spec.location);
  if (comp) {
    const name = comp[1]!.split(VARIANT_SUFFIX)[0]!;
    return `/components/schemas/${escapeToken(name)}${comp[2]!.split('.').filter(Boolean).map((t) => `/${escapeToken(t)}`).join('')}`;
  }
  if (spec.pathName && spec.pathMethod) {
    const prefix = `[root].paths.${spec.pathName}.${spec.pathMethod}`;
    const tail = spec.location.startsWith(prefix) ? spec.location.slice(prefix.length) : '';
    const status = /^\.responses\.(\w+)/.exec(tail);
    return `/paths/${escapeToken(spec.pathName)}/${spec.pathMethod}${status ? `/responses/${status[1]}` : /^\.requestBody/.test(tail) ? '/requestBody' : ''}`;
  }
  return null;
};

export interface PactCheckOptions {
  pillar: PillarName;
  failOn?: FailOnName;
  pactFile?: string;
  /** Shown as the document in findings and the check's name. */
  label?: string;
  /**
   * The older document (`spec diff --from`): a mismatch the pact already had against it is
   * no news about the newer one, and is reported as pre-existing, at info.
   */
  relativeTo?: SpecSide;
}

type Comparator = { compare(pact: unknown): AsyncIterable<OpcResult> };

/** What names one mismatch whatever the document: the comparator's code and where in the pact it is. */
const mismatchKey = (r: OpcResult) => `${r.code}|${r.mockDetails?.interactionDescription ?? ''}|${r.mockDetails?.location ?? ''}`;

const compare = async (side: SpecSide, pact: unknown): Promise<OpcResult[]> => {
  // Its type declarations re-export through a folder import that NodeNext does not follow.
  const { Comparator } = (await import('@pactflow/openapi-pact-comparator')) as unknown as { Comparator: new (o: { oas: unknown }) => Comparator };
  const out: OpcResult[] = [];
  for await (const r of new Comparator({ oas: comparatorView(side) }).compare(pact)) if (r.type !== 'info') out.push(r);
  return out;
};

/**
 * The committed pact against a DevRev OpenAPI document, through PactFlow's comparator
 * (the engine of its bi-directional contract testing, run offline). One check; each
 * mismatch one finding naming the interaction, the pointer in its body and where the
 * document says otherwise. Needs no target.
 */
export const checkPactAgainst = async (side: SpecSide, options: PactCheckOptions): Promise<CheckResult> => {
  const started = Date.now();
  const pactFile = options.pactFile ?? COMMITTED_PACT;
  let pact: unknown;
  try {
    pact = JSON.parse(readFileSync(pactFile, 'utf8'));
  } catch (e) {
    throw new UsageError(`${pactFile}: cannot read the pact (${String((e as Error).message).split('\n')[0]})`);
  }
  const label = options.label ?? side.label;
  const older = options.relativeTo;
  const already = older ? new Set((await compare(older, pact)).map(mismatchKey)) : new Set<string>();
  const interactions = isObject(pact) && Array.isArray(pact['interactions']) ? (pact['interactions'] as Array<Record<string, unknown>>) : [];
  const endpointOf = (description: string | null | undefined) => {
    const i = interactions.find((x) => x['description'] === description);
    const req = i && isObject(i['request']) ? i['request'] : {};
    return typeof req['path'] === 'string' ? req['path'].replace(/^\//, '') : '*';
  };
  const statusOf = (description: string | null | undefined) => {
    const i = interactions.find((x) => x['description'] === description);
    const res = i && isObject(i['response']) ? i['response'] : {};
    return typeof res['status'] === 'number' ? res['status'] : null;
  };
  const id = `${options.pillar}.pact-vs-document`;
  const findings: Finding[] = [];
  for (const r of await compare(side, pact)) {
    const ruleId: SpecDiffRuleId = r.type === 'warning' ? 'pact-unverifiable' : ruleOf(r.code);
    const description = r.mockDetails?.interactionDescription ?? null;
    const pointer = bodyPointer(r.mockDetails?.location ?? '', r.message);
    const docPointer = documentPointer(r.specDetails);
    const isResponse = r.code.startsWith('response.');
    const old = older !== undefined && already.has(mismatchKey(r));
    findings.push({
      checkId: id,
      pillar: options.pillar,
      endpoint: endpointOf(description),
      status: isResponse ? statusOf(description) : null,
      ruleId,
      // Old news is still said, but only a mismatch the newer document brought can fail.
      severity: old ? 'info' : SPEC_DIFF_RULES[ruleId].severity,
      basis: 'spec',
      pointer,
      // The document's name stays out (it is in the check's name): a fingerprint must not change with a file's path.
      expected: docPointer ? `what the document states at ${docPointer}` : 'what the document states',
      actual: r.mockDetails?.value ?? null,
      message: `${old ? `pre-existing (already so against ${older.label}): ` : ''}${description ?? 'an interaction'}: ${r.message} (${r.code}${pointer ? ` at ${isResponse ? 'response' : 'request'} ${pointer}` : ''}${docPointer ? `; document ${docPointer}` : ''})`,
      reproduction: `npx opc --oas ${label} ${pactFile}`,
      ...(description ? { caseId: description } : {}),
      specPointers: { from: docPointer, to: null },
    });
  }
  return {
    id,
    pillar: options.pillar,
    name: `the pact fits the OpenAPI document (${label})`,
    endpoint: '*',
    outcome: outcomeOf(findings, options.failOn ?? 'error'),
    durationMs: Date.now() - started,
    findings,
  };
};
