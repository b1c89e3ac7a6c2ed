import { escapeToken, pointerOf } from '../api-model/openapi/pointer.ts';
import { SLICE_PATHS } from '../api-model/openapi/slice-paths.ts';
import { SPEC_DIFF_RULES, type SpecDiffRuleId } from '../api-model/rulebook/spec-diff.ts';
import { diffResponseHeaders } from './header-diff.ts';
import { deref, isObject, type Located, type SpecSide } from './resolve.ts';
import { type SchemaView, viewOf } from './schema-view.ts';
import { diffSecurity } from './security-diff.ts';

/**
 * The classified difference between two DevRev OpenAPI documents, over what the suite's
 * endpoints depend on: their operations, parameters, security, bodies, statuses, answer
 * headers and every schema they reach, resolved. A change inside a shared component is
 * one change, listing every endpoint and place in a request or answer that reaches it.
 */
export interface SpecChange {
  ruleId: SpecDiffRuleId;
  /** Pointer into the old document (null when the thing is only in the new one). */
  from: string | null;
  /** Pointer into the new document (null when the thing is only in the old one). */
  to: string | null;
  before: unknown;
  after: unknown;
  /** Endpoints that reach the change (`rev-users.create`, …). */
  endpoints: string[];
  /** Where in a request or answer it shows: `request body /email`, `response 201 /rev_user/id`. */
  places: string[];
  /** One line: what changed. */
  summary: string;
  /** security-scheme-changed: where the new scheme reads the token (`header authorization`, `query key`). */
  credential?: string;
}

type Dir = 'request' | 'response';

/** A change found inside a schema, relative to where the schema is used. */
export interface Raw {
  ruleId: SpecDiffRuleId;
  from: string | null;
  to: string | null;
  before: unknown;
  after: unknown;
  /** Instance path below the schema's root: `/rev_user/email`, `/*` for array items. */
  at: string;
  summary: string;
  credential?: string;
}

const fmt = (v: unknown) => (v === undefined ? 'none' : JSON.stringify(v));
const typeText = (v: SchemaView) => `${v.types ? [...v.types].sort().join('|') : 'any'}${v.nullable ? '|null' : ''}`;

export class SpecDiff {
  readonly #memo = new Map<string, Raw[] | null>();
  readonly #changes = new Map<string, SpecChange>();

  constructor(
    readonly from: SpecSide,
    readonly to: SpecSide,
  ) {}

  run(paths: readonly string[] = SLICE_PATHS): SpecChange[] {
    for (const p of paths) this.#path(p);
    return [...this.#changes.values()];
  }

  #add(endpoint: string, place: string, r: Raw): void {
    const key = `${r.ruleId}|${r.from}|${r.to}|${fmt(r.before)}|${fmt(r.after)}`;
    const where = `${place}${r.at ? ` ${r.at}` : ''}`;
    const c = this.#changes.get(key);
    if (c) {
      if (!c.endpoints.includes(endpoint)) c.endpoints.push(endpoint);
      if (!c.places.includes(where)) c.places.push(where);
      return;
    }
    this.#changes.set(key, { ruleId: r.ruleId, from: r.from, to: r.to, before: r.before, after: r.after, endpoints: [endpoint], places: [where], summary: r.summary, ...(r.credential ? { credential: r.credential } : {}) });
  }

  #path(path: string): void {
    const endpoint = path.slice(1);
    const tokens = ['paths', path];
    const a = this.from.doc.paths[path];
    const b = this.to.doc.paths[path];
    const ptr = pointerOf(tokens);
    if (a === undefined && b === undefined) return;
    const one = (ruleId: SpecDiffRuleId, summary: string, from: string | null, to: string | null) =>
      this.#add(endpoint, 'endpoint', { ruleId, from, to, before: from ? 'present' : undefined, after: to ? 'present' : undefined, at: '', summary });
    if (b === undefined || a === undefined) {
      if (b === undefined) one('endpoint-removed', `${path} is no longer documented`, ptr, '/paths');
      else one('endpoint-added', `${path} is newly documented`, '/paths', ptr);
      return;
    }
    const pa = deref(this.from, a, tokens);
    const pb = deref(this.to, b, tokens);
    for (const method of ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']) {
      const oa = isObject(pa.node) ? pa.node[method] : undefined;
      const ob = isObject(pb.node) ? pb.node[method] : undefined;
      const ta = [...pa.tokens, method];
      const tb = [...pb.tokens, method];
      if (oa === undefined && ob === undefined) continue;
      if (ob === undefined) one('endpoint-removed', `${method.toUpperCase()} ${path} is no longer documented`, pointerOf(ta), pointerOf(pb.tokens));
      else if (oa === undefined) one('endpoint-added', `${method.toUpperCase()} ${path} is newly documented`, pointerOf(pa.tokens), pointerOf(tb));
      else this.#operation(endpoint, { node: oa, tokens: ta }, { node: ob, tokens: tb }, pa, pb);
    }
  }

  #operation(endpoint: string, a: Located, b: Located, itemA: Located, itemB: Located): void {
    const oa = a.node as Record<string, unknown>;
    const ob = b.node as Record<string, unknown>;
    this.#parameters(endpoint, a, b, itemA, itemB);
    diffSecurity(this.from, this.to, a, b, (r) => this.#add(endpoint, 'security', r));
    // Request body.
    const ra = oa['requestBody'] === undefined ? undefined : deref(this.from, oa['requestBody'], [...a.tokens, 'requestBody']);
    const rb = ob['requestBody'] === undefined ? undefined : deref(this.to, ob['requestBody'], [...b.tokens, 'requestBody']);
    const reqA = isObject(ra?.node) && ra.node['required'] === true;
    const reqB = isObject(rb?.node) && rb.node['required'] === true;
    const bodyPtr = (l: Located | undefined, op: Located) => pointerOf(l ? [...l.tokens, 'required'] : op.tokens);
    if (!reqA && reqB)
      this.#add(endpoint, 'request body', { ruleId: 'request-body-became-required', from: bodyPtr(ra, a), to: bodyPtr(rb, b), before: reqA, after: reqB, at: '', summary: 'the request body became required' });
    if (reqA && !reqB)
      this.#add(endpoint, 'request body', { ruleId: 'request-body-became-optional', from: bodyPtr(ra, a), to: bodyPtr(rb, b), before: reqA, after: reqB, at: '', summary: 'the request body became optional' });
    if (ra && rb) this.#content(endpoint, 'request body', 'request', ra, rb, 'request-media-type-removed', 'request-media-type-added');
    // Statuses.
    const sa = isObject(oa['responses']) ? oa['responses'] : {};
    const sb = isObject(ob['responses']) ? ob['responses'] : {};
    const respA = [...a.tokens, 'responses'];
    const respB = [...b.tokens, 'responses'];
    for (const status of Object.keys(sa)) {
      if (!Object.hasOwn(sb, status)) {
        this.#add(endpoint, `response ${status}`, { ruleId: 'response-status-removed', from: pointerOf([...respA, status]), to: pointerOf(respB), before: status, after: undefined, at: '', summary: `status ${status} is no longer documented` });
        continue;
      }
      const la = deref(this.from, sa[status], [...respA, status]);
      const lb = deref(this.to, sb[status], [...respB, status]);
      this.#content(endpoint, `response ${status}`, 'response', la, lb, 'response-media-type-removed', 'response-media-type-added');
      diffResponseHeaders(this.from, this.to, la, lb, `response ${status}`, (place, r) => this.#add(endpoint, place, r));
    }
    for (const status of Object.keys(sb)) {
      if (!Object.hasOwn(sa, status))
        this.#add(endpoint, `response ${status}`, { ruleId: 'response-status-added', from: pointerOf(respA), to: pointerOf([...respB, status]), before: undefined, after: status, at: '', summary: `status ${status} is newly documented` });
    }
  }

  #parameters(endpoint: string, a: Located, b: Located, itemA: Located, itemB: Located): void {
    const collect = (side: SpecSide, op: Located, item: Located) => {
      const out = new Map<string, { loc: Located; required: boolean }>();
      for (const owner of [item, op]) {
        const list = isObject(owner.node) ? owner.node['parameters'] : undefined;
        if (!Array.isArray(list)) continue;
        for (const [i, p] of list.entries()) {
          const loc = deref(side, p, [...owner.tokens, 'parameters', String(i)]);
          if (!isObject(loc.node)) continue;
          out.set(`${String(loc.node['in'])} ${String(loc.node['name'])}`, { loc, required: loc.node['required'] === true });
        }
      }
      return out;
    };
    const pa = collect(this.from, a, itemA);
    const pb = collect(this.to, b, itemB);
    for (const [key, x] of pa) {
      const y = pb.get(key);
      const place = `parameter ${key}`;
      if (!y) {
        this.#add(endpoint, place, { ruleId: 'request-parameter-removed', from: pointerOf(x.loc.tokens), to: pointerOf(b.tokens), before: key, after: undefined, at: '', summary: `parameter ${key} is no longer documented` });
        continue;
      }
      if (x.required !== y.required)
        this.#add(endpoint, place, {
          ruleId: y.required ? 'request-parameter-became-required' : 'request-parameter-became-optional',
          from: pointerOf(x.loc.tokens),
          to: pointerOf(y.loc.tokens),
          before: x.required,
          after: y.required,
          at: '',
          summary: `parameter ${key} became ${y.required ? 'required' : 'optional'}`,
        });
      const sa = (x.loc.node as Record<string, unknown>)['schema'];
      const sb = (y.loc.node as Record<string, unknown>)['schema'];
      if (sa !== undefined && sb !== undefined) {
        for (const r of this.#schema('request', { node: sa, tokens: [...x.loc.tokens, 'schema'] }, { node: sb, tokens: [...y.loc.tokens, 'schema'] })) this.#add(endpoint, place, r);
      }
    }
    for (const [key, y] of pb) {
      if (pa.has(key)) continue;
      this.#add(endpoint, `parameter ${key}`, {
        ruleId: y.required ? 'request-parameter-added-required' : 'request-parameter-added',
        from: pointerOf(a.tokens),
        to: pointerOf(y.loc.tokens),
        before: undefined,
        after: key,
        at: '',
        summary: `${y.required ? 'required ' : ''}parameter ${key} is newly documented`,
      });
    }
  }

  #content(endpoint: string, place: string, dir: Dir, a: Located, b: Located, removed: SpecDiffRuleId, added: SpecDiffRuleId): void {
    const ca = isObject(a.node) && isObject(a.node['content']) ? a.node['content'] : {};
    const cb = isObject(b.node) && isObject(b.node['content']) ? b.node['content'] : {};
    for (const mt of Object.keys(ca)) {
      const ta = [...a.tokens, 'content', mt];
      if (!Object.hasOwn(cb, mt)) {
        this.#add(endpoint, place, { ruleId: removed, from: pointerOf(ta), to: pointerOf([...b.tokens, 'content']), before: mt, after: undefined, at: '', summary: `${mt} is no longer documented` });
        continue;
      }
      const tb = [...b.tokens, 'content', mt];
      const sa = isObject(ca[mt]) ? ca[mt]['schema'] : undefined;
      const sb = isObject(cb[mt]) ? cb[mt]['schema'] : undefined;
      if (sa === undefined || sb === undefined) continue;
      for (const r of this.#schema(dir, { node: sa, tokens: [...ta, 'schema'] }, { node: sb, tokens: [...tb, 'schema'] })) this.#add(endpoint, place, r);
    }
    for (const mt of Object.keys(cb)) {
      if (!Object.hasOwn(ca, mt))
        this.#add(endpoint, place, { ruleId: added, from: pointerOf([...a.tokens, 'content']), to: pointerOf([...b.tokens, 'content', mt]), before: undefined, after: mt, at: '', summary: `${mt} is newly documented` });
    }
  }

  /**
   * Changes between two schemas used in the same place, relative to that place. Memoised
   * per pair of resolved schemas and direction, so a component reached from many places is
   * compared once; a pair met again while it is being compared (a recursive schema) adds
   * nothing new.
   */
  #schema(dir: Dir, a: Located, b: Located): Raw[] {
    const va = viewOf(this.from, a);
    const vb = viewOf(this.to, b);
    const key = `${dir}|${va.pointer}|${vb.pointer}`;
    const hit = this.#memo.get(key);
    if (hit !== undefined) return hit ?? [];
    this.#memo.set(key, null);
    const out = compareViews(dir, va, vb, (d, x, y) => this.#schema(d, x, y));
    this.#memo.set(key, out);
    return out;
  }
}

/** Formats JSON Schema and OpenAPI define: validators check these; others are annotations. */
const STANDARD_FORMATS = new Set(
  'date-time date time duration email idn-email hostname idn-hostname ipv4 ipv6 uri uri-reference iri iri-reference uuid uri-template json-pointer relative-json-pointer regex int32 int64 float double byte binary password'.split(' '),
);

const seg = (name: string) => `/${escapeToken(name)}`;
const under = (prefix: string, raws: Raw[]): Raw[] => raws.map((r) => ({ ...r, at: `${prefix}${r.at}` }));
/** Every type of x is allowed by y (an integer is a number). */
const subset = (x: Set<string>, y: Set<string>) => [...x].every((t) => y.has(t) || (t === 'integer' && y.has('number')));

export const compareViews = (dir: Dir, a: SchemaView, b: SchemaView, recurse: (dir: Dir, a: Located, b: Located) => Raw[]): Raw[] => {
  const out: Raw[] = [];
  const req = dir === 'request';
  const push = (ruleId: SpecDiffRuleId, from: string | null, to: string | null, before: unknown, after: unknown, summary: string, at = '') =>
    out.push({ ruleId, from, to, before, after, at, summary });

  // Types and null. Any type (no `type`) counts as the widest.
  const ta = a.types;
  const tb = b.types;
  const typesDiffer = ta === null ? tb !== null : tb === null || !subset(ta, tb) || !subset(tb, ta) || ta.size !== tb.size;
  if (typesDiffer) {
    // A request may now accept more (widened) or less; an answer may now send less (narrowed) or else.
    const widened = tb === null || (ta !== null && subset(ta, tb));
    const narrowed = ta === null || (tb !== null && subset(tb, ta));
    const rule: SpecDiffRuleId = req ? (widened ? 'request-property-type-widened' : 'request-property-type-narrowed') : narrowed ? 'response-property-type-narrowed' : 'response-property-type-changed';
    push(rule, a.pointer, b.pointer, typeText(a), typeText(b), `type ${typeText(a)} → ${typeText(b)}`);
  }
  if (a.nullable !== b.nullable) {
    const rule: SpecDiffRuleId = b.nullable ? (req ? 'request-property-type-widened' : 'response-property-became-nullable') : req ? 'request-property-type-narrowed' : 'response-property-type-narrowed';
    push(rule, a.pointer, b.pointer, a.nullable ? 'nullable' : 'not nullable', b.nullable ? 'nullable' : 'not nullable', b.nullable ? 'became nullable' : 'no longer nullable');
  }
  // Format.
  if (a.format !== b.format) {
    const annotation = !STANDARD_FORMATS.has(a.format ?? '') && !STANDARD_FORMATS.has(b.format ?? '');
    const rule: SpecDiffRuleId = annotation
      ? 'format-annotation-changed'
      : b.format === undefined
        ? req ? 'request-property-format-removed' : 'response-property-format-changed'
        : a.format === undefined && !req ? 'response-property-format-added' : req ? 'request-property-format-changed' : 'response-property-format-changed';
    push(rule, a.format === undefined ? a.pointer : a.formatAt, b.format === undefined ? b.pointer : b.formatAt, a.format, b.format, `format ${fmt(a.format)} → ${fmt(b.format)}`);
  }
  // Enum values, one change per value so each can be judged (and ignored) on its own.
  if (a.enumValues || b.enumValues) {
    const ka = new Map((a.enumValues ?? []).map((v) => [JSON.stringify(v), v]));
    const kb = new Map((b.enumValues ?? []).map((v) => [JSON.stringify(v), v]));
    if (!a.enumValues) {
      push(req ? 'request-property-type-narrowed' : 'response-property-type-narrowed', a.pointer, b.enumAt, undefined, b.enumValues, `now limited to ${fmt(b.enumValues)}`);
    } else if (!b.enumValues) {
      push(req ? 'request-property-type-widened' : 'response-enum-value-added', a.enumAt, b.pointer, a.enumValues, undefined, `no longer limited to ${fmt(a.enumValues)}`);
    } else {
      for (const [k, v] of ka)
        if (!kb.has(k)) push(req ? 'request-enum-value-removed' : 'response-enum-value-removed', a.enumAt, b.enumAt, v, undefined, `enum value ${k} removed`);
      for (const [k, v] of kb) if (!ka.has(k)) push(req ? 'request-enum-value-added' : 'response-enum-value-added', a.enumAt, b.enumAt, undefined, v, `enum value ${k} added`);
    }
  }
  // Properties, by name, each at the pointer where it is declared.
  for (const [name, la] of a.properties) {
    const lb = b.properties.get(name);
    const pa = pointerOf(la.tokens);
    if (!lb) {
      push(req ? 'request-property-removed' : 'response-property-removed', pa, b.pointer, name, undefined, `property ${name} removed`, seg(name));
      continue;
    }
    const pb = pointerOf(lb.tokens);
    const ra = a.required.has(name);
    const rb = b.required.has(name);
    if (ra !== rb) {
      const rule: SpecDiffRuleId = rb ? (req ? 'request-property-became-required' : 'response-property-became-required') : req ? 'request-property-became-optional' : 'response-property-became-optional';
      push(rule, pa, pb, ra ? 'required' : 'optional', rb ? 'required' : 'optional', `property ${name} became ${rb ? 'required' : 'optional'}`, seg(name));
    }
    out.push(...under(seg(name), recurse(dir, la, lb)));
  }
  for (const [name, lb] of b.properties) {
    if (a.properties.has(name)) continue;
    const rule: SpecDiffRuleId = req ? (b.required.has(name) ? 'request-property-added-required' : 'request-property-added') : 'response-property-added';
    push(rule, a.pointer, pointerOf(lb.tokens), undefined, name, `${req && b.required.has(name) ? 'required ' : ''}property ${name} added`, seg(name));
  }
  // A property that stays but joins or leaves the required list is handled above; a
  // required name with no declared property is not a property and is left alone.
  if (a.items && b.items) out.push(...under('/*', recurse(dir, a.items, b.items)));
  if (a.additional && b.additional) out.push(...under('/*', recurse(dir, a.additional, b.additional)));
  // Discriminated variants, keyed by the value of the discriminator a payload carries.
  if (a.discriminator && b.discriminator) {
    for (const [k, la] of a.variants) {
      const lb = b.variants.get(k);
      if (!lb) push(req ? 'request-discriminator-mapping-removed' : 'response-discriminator-mapping-removed', pointerOf(la.tokens), b.discriminator.at, k, undefined, `variant ${fmt(k)} removed`);
      else out.push(...recurse(dir, la, lb));
    }
    for (const [k, lb] of b.variants)
      if (!a.variants.has(k)) push(req ? 'request-discriminator-mapping-added' : 'response-discriminator-mapping-added', a.discriminator.at, pointerOf(lb.tokens), undefined, k, `variant ${fmt(k)} added`);
  } else {
    // Without a discriminator, variants are matched by component name or position.
    for (const [k, la] of a.variants) {
      const lb = b.variants.get(k);
      if (lb) out.push(...recurse(dir, la, lb));
    }
  }
  return out;
};

export const diffSpecs = (from: SpecSide, to: SpecSide, paths: readonly string[] = SLICE_PATHS): SpecChange[] => {
  const changes = new SpecDiff(from, to).run(paths);
  // Gating changes first, then by pointer, so a report reads the same every run.
  const rank = { error: 0, warning: 1, info: 2 } as const;
  return changes.sort(
    (x, y) =>
      rank[SPEC_DIFF_RULES[x.ruleId].severity] - rank[SPEC_DIFF_RULES[y.ruleId].severity] ||
      (x.to ?? x.from ?? '').localeCompare(y.to ?? y.from ?? '') ||
      x.ruleId.localeCompare(y.ruleId),
  );
};
