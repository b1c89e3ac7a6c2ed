import { pointerOf } from '../api-model/openapi/pointer.ts';
import type { Raw } from './diff.ts';
import { deref, isObject, type Located, type SpecSide } from './resolve.ts';

/**
 * An operation's security, compared as a client written from the older document meets
 * it. OpenAPI lists alternatives (any one suffices), each naming schemes that must all be
 * met; the operation's own list replaces the document's. The client is assumed to meet any
 * one of the old alternatives, so each must still meet one of the new.
 */
interface Alternative {
  tokens: string[];
  /** Scheme name → scopes. Empty: no authentication. */
  schemes: Map<string, Set<string>>;
}

interface Requirements {
  tokens: string[];
  alternatives: Alternative[];
}

const requirementsOf = (side: SpecSide, op: Located): Requirements => {
  const own = isObject(op.node) ? op.node['security'] : undefined;
  const top = side.doc['security'];
  // With no list anywhere, what applies is the whole document's silence (pointer ""), so
  // dropping the document's list is one change, not one per operation.
  const [list, tokens] = Array.isArray(own) ? [own, [...op.tokens, 'security']] : Array.isArray(top) ? [top, ['security']] : [[], []];
  const alternatives = list.map((req, i) => ({
    tokens: [...tokens, String(i)],
    schemes: new Map(Object.entries(isObject(req) ? req : {}).map(([name, scopes]) => [name, new Set(Array.isArray(scopes) ? scopes.map(String) : [])])),
  }));
  // No requirement at all means anyone may call: one alternative that asks for nothing.
  return { tokens, alternatives: alternatives.length ? alternatives : [{ tokens, schemes: new Map() }] };
};

/** A client that meets `x` meets `y`: every scheme of y, with every scope y asks for. */
const meets = (x: Alternative, y: Alternative) => [...y.schemes].every(([name, scopes]) => x.schemes.has(name) && [...scopes].every((s) => x.schemes.get(name)!.has(s)));
const text = (x: Alternative) => (x.schemes.size ? `{${[...x.schemes.keys()].sort().join(', ')}}` : 'no authentication');

/** How a client sends what a scheme asks for; compared field by field once the type agrees. */
const SCHEME_FIELDS: Record<string, string[]> = { http: ['scheme'], apiKey: ['in', 'name'], oauth2: [], openIdConnect: ['openIdConnectUrl'], mutualTLS: [] };
// HTTP auth schemes and header names are case-insensitive.
const norm = (field: string, v: unknown) => (typeof v === 'string' && (field === 'scheme' || field === 'name') ? v.toLowerCase() : v);

/** Where a scheme reads the token: every HTTP scheme, OAuth2 and OpenID Connect from Authorization. */
const credentialOf = (s: Record<string, unknown>): string =>
  s['type'] === 'apiKey' ? `${String(s['in'])} ${String(s['name']).toLowerCase()}` : s['type'] === 'mutualTLS' ? 'tls' : 'header authorization';

const diffScheme = (from: SpecSide, to: SpecSide, name: string, add: (r: Raw) => void): void => {
  const tokens = ['components', 'securitySchemes', name];
  const sa = isObject(from.doc['components']) && isObject(from.doc['components']['securitySchemes']) ? from.doc['components']['securitySchemes'][name] : undefined;
  const sb = isObject(to.doc['components']) && isObject(to.doc['components']['securitySchemes']) ? to.doc['components']['securitySchemes'][name] : undefined;
  if (sa === undefined || sb === undefined) return;
  const a = deref(from, sa, tokens);
  const b = deref(to, sb, tokens);
  if (!isObject(a.node) || !isObject(b.node)) return;
  const type = a.node['type'] !== b.node['type'] ? 'type' : undefined;
  for (const field of type ? [type] : (SCHEME_FIELDS[String(a.node['type'])] ?? [])) {
    const x = a.node[field];
    const y = b.node[field];
    if (norm(field, x) === norm(field, y)) continue;
    add({
      ruleId: 'security-scheme-changed',
      from: pointerOf(x === undefined ? a.tokens : [...a.tokens, field]),
      to: pointerOf(y === undefined ? b.tokens : [...b.tokens, field]),
      before: x,
      after: y,
      at: '',
      summary: `security scheme ${name}: ${field} ${JSON.stringify(x ?? null)} → ${JSON.stringify(y ?? null)}`,
      credential: credentialOf(b.node),
    });
  }
};

export const diffSecurity = (from: SpecSide, to: SpecSide, opA: Located, opB: Located, add: (r: Raw) => void): void => {
  const ra = requirementsOf(from, opA);
  const rb = requirementsOf(to, opB);
  const unmet = ra.alternatives.filter((a) => !rb.alternatives.some((b) => meets(a, b)));
  for (const a of unmet) {
    // Point at the stricter alternative that replaced it, when there is one.
    const stricter = rb.alternatives.find((b) => meets(b, a));
    add({
      ruleId: 'security-requirement-added',
      from: pointerOf(a.tokens),
      to: pointerOf(stricter ? stricter.tokens : rb.tokens),
      before: text(a),
      after: rb.alternatives.map(text).join(' or '),
      at: '',
      summary: `a client meeting ${text(a)} no longer meets what the operation asks: ${rb.alternatives.map(text).join(' or ')}`,
    });
  }
  for (const b of rb.alternatives) {
    if (ra.alternatives.some((a) => meets(a, b) && meets(b, a))) continue;
    const looser = ra.alternatives.find((a) => meets(a, b));
    if (looser) {
      add({ ruleId: 'security-requirement-removed', from: pointerOf(looser.tokens), to: pointerOf(b.tokens), before: text(looser), after: text(b), at: '', summary: `the operation accepts ${text(b)} where it asked for ${text(looser)}` });
      continue;
    }
    // A stricter form of an alternative no longer met was reported with it.
    if (unmet.some((a) => meets(b, a))) continue;
    add({ ruleId: 'security-alternative-added', from: pointerOf(ra.tokens), to: pointerOf(b.tokens), before: undefined, after: text(b), at: '', summary: `${text(b)} is another way to authenticate` });
  }
  const names = new Set([...ra.alternatives, ...rb.alternatives].flatMap((x) => [...x.schemes.keys()]));
  for (const name of [...names].sort()) diffScheme(from, to, name, add);
};
