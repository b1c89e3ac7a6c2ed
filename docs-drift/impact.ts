import { unescapeToken } from '../api-model/openapi/pointer.ts';
import { SPEC_DIFF_RULES } from '../api-model/rulebook/spec-diff.ts';
import type { Impact, ImpactGroupName, SeverityName } from '../core/results.ts';
import type { SpecChange } from './diff.ts';
import type { PactInteraction, PactView } from './pact-view.ts';

/**
 * Which interactions of a pact a docs change touches: a request field, header or query
 * parameter they send, a response field or header they read, a status they expect, an
 * endpoint they call. Read from the pact file (pact-view.ts) and the change's places
 * (`request body /email`, `response 201 /rev_user/id`, `response 429 header Retry-After`,
 * `parameter query mode`, `security`, `endpoint`), nothing else.
 *
 * Where a change can only hurt those who do NOT do something (a newly required field, a
 * body that became required), "touches" means the interactions that do not: those are the
 * calls it rejects.
 */
export interface Touch {
  interaction: string;
  how: string;
}

type Path = string[];
interface Place {
  kind: 'endpoint' | 'security' | 'request' | 'parameter' | 'response' | 'response-header';
  at: Path;
  status?: string;
  name?: string;
  in?: string;
}

const tokens = (at: string | undefined): Path => (at ? at.slice(1).split('/').map(unescapeToken) : []);

export const parsePlace = (place: string): Place | null => {
  if (place === 'endpoint') return { kind: 'endpoint', at: [] };
  if (place === 'security') return { kind: 'security', at: [] };
  let m = /^request body(?: (\/.*))?$/.exec(place);
  if (m) return { kind: 'request', at: tokens(m[1]) };
  m = /^parameter (\S+) (\S+)(?: (\/.*))?$/.exec(place);
  if (m) return { kind: 'parameter', in: m[1]!, name: m[2]!, at: tokens(m[3]) };
  m = /^response (\S+) header (\S+)(?: (\/.*))?$/.exec(place);
  if (m) return { kind: 'response-header', status: m[1]!, name: m[2]!, at: tokens(m[3]) };
  m = /^response (\S+)(?: (\/.*))?$/.exec(place);
  if (m) return { kind: 'response', status: m[1]!, at: tokens(m[2]) };
  return null;
};

/** A change's `*` is any array item or map key; a pact's `*` is any array item. */
const tokenMatch = (a: string, b: string) => a === b || a === '*' || b === '*';
const startsWith = (path: Path, prefix: Path) => path.length >= prefix.length && prefix.every((t, i) => tokenMatch(t, path[i]!));
const exactly = (path: Path, other: Path) => path.length === other.length && startsWith(path, other);
const shown = (p: Path) => (p.length ? p.map((t) => `/${t}`).join('') : '(the body)');

/** `201` against 201, `2XX` against any 2xx, `default` against any status. */
const statusMatches = (documented: string | undefined, expected: number | null) =>
  documented !== undefined && expected !== null && (documented === String(expected) || documented === 'default' || (/^[1-5]XX$/i.test(documented) && documented[0] === String(expected)[0]));

const touchesOne = (c: SpecChange, place: Place, i: PactInteraction): string | null => {
  const rule = c.ruleId;
  const at = place.at;
  switch (place.kind) {
    case 'endpoint':
      return rule === 'endpoint-added' ? null : `calls ${i.method} /${i.endpoint}`;
    case 'security':
      if (c.credential) {
        // A call sending its token where the new scheme reads it (our pact's Authorization
        // matches both the SDK's bare token and `Bearer`) meets it; one sending none is
        // refused by either scheme alike.
        const sendsToken = i.requestHeaders.has('authorization');
        const [where, name = ''] = c.credential.split(' ');
        const meets = where === 'header' ? i.requestHeaders.has(name) : where === 'query' ? [...i.query].some((q) => q.toLowerCase() === name) : false;
        return !sendsToken || meets ? null : `sends its token in the Authorization header, where the new scheme reads ${c.credential}`;
      }
      return i.requestHeaders.has('authorization') ? `calls ${i.method} /${i.endpoint} with an Authorization header` : `calls ${i.method} /${i.endpoint} without a token`;
    case 'request': {
      if (rule === 'request-body-became-required') return i.hasRequestBody ? null : 'sends no request body';
      if (rule === 'request-body-became-optional') return null;
      if (rule === 'request-media-type-removed' || rule === 'request-media-type-added') {
        const type = String(rule.endsWith('removed') ? c.before : c.after);
        const sent = i.requestHeaders.get('content-type') ?? '';
        return i.hasRequestBody && sent.toLowerCase().startsWith(type.toLowerCase()) ? `sends Content-Type ${sent}` : null;
      }
      if (rule === 'request-property-added-required' || rule === 'request-property-became-required') {
        const parent = at.slice(0, -1);
        const parentSent = parent.length === 0 ? i.hasRequestBody : i.sends.some((s) => exactly(s.path, parent));
        return parentSent && !i.sends.some((s) => exactly(s.path, at)) ? `does not send request field ${shown(at)}, now required` : null;
      }
      if (rule === 'request-enum-value-removed') {
        const hit = i.sends.find((s) => exactly(s.path, at) && JSON.stringify(s.value) === JSON.stringify(c.before));
        return hit ? `sends request field ${shown(at)} = ${JSON.stringify(c.before)}` : null;
      }
      if (rule === 'request-discriminator-mapping-removed') {
        const hit = i.sends.find((s) => s.path.length === at.length + 1 && startsWith(s.path, at) && s.value === c.before);
        return hit ? `sends the ${JSON.stringify(c.before)} variant at ${shown(at)}` : null;
      }
      if (at.length === 0) return i.hasRequestBody ? 'sends a request body' : null;
      return i.sends.some((s) => startsWith(s.path, at)) ? `sends request field ${shown(at)}` : null;
    }
    case 'parameter': {
      const name = (place.name ?? '').toLowerCase();
      const sent = place.in === 'header' ? i.requestHeaders.has(name) : place.in === 'query' ? [...i.query].some((q) => q.toLowerCase() === name) : place.in === 'path';
      if (rule === 'request-parameter-added-required' || rule === 'request-parameter-became-required') return sent ? null : `does not send ${place.in} parameter ${place.name}, now required`;
      return sent ? `sends ${place.in} parameter ${place.name}` : null;
    }
    case 'response-header':
      return statusMatches(place.status, i.status) && i.responseHeaders.has((place.name ?? '').toLowerCase()) ? `reads response header ${place.name} (status ${i.status})` : null;
    case 'response': {
      if (!statusMatches(place.status, i.status)) return null;
      if (rule === 'response-status-removed' || rule === 'response-status-added') return `expects status ${i.status}`;
      if (rule === 'response-media-type-removed' || rule === 'response-media-type-added') return `expects status ${i.status} as ${String(rule.endsWith('removed') ? c.before : c.after)}`;
      if (rule === 'response-enum-value-removed') {
        const hit = i.reads.find((r) => exactly(r.path, at) && JSON.stringify(r.value) === JSON.stringify(c.before));
        return hit ? `expects response field ${shown(at)} = ${JSON.stringify(c.before)} (status ${i.status})` : null;
      }
      if (rule === 'response-discriminator-mapping-removed') {
        const hit = i.reads.find((r) => r.path.length === at.length + 1 && startsWith(r.path, at) && r.value === c.before);
        return hit ? `expects the ${JSON.stringify(c.before)} variant at ${shown(at)} (status ${i.status})` : null;
      }
      if (at.length === 0) return i.reads.length > 0 ? `reads the response body (status ${i.status})` : null;
      return i.reads.some((r) => startsWith(r.path, at)) ? `reads response field ${shown(at)} (status ${i.status})` : null;
    }
  }
};

/** Every interaction of the pact the change touches, once each, with the first way it does. */
export const touchesOf = (c: SpecChange, pact: PactView): Touch[] => {
  const out = new Map<string, string>();
  for (const placeText of c.places) {
    const place = parsePlace(placeText);
    if (!place) continue;
    for (const i of pact.interactions) {
      if (out.has(i.description) || !c.endpoints.includes(i.endpoint)) continue;
      const how = touchesOne(c, place, i);
      if (how) out.set(i.description, how);
    }
  }
  return [...out].map(([interaction, how]) => ({ interaction, how }));
};

/** Breaking (error) and touching one of our interactions, breaking only others, or neither. */
export const groupOf = (severity: SeverityName, touched: boolean): ImpactGroupName =>
  severity !== 'error' ? 'not-breaking' : touched ? 'breaks-our-contract' : 'breaks-other-clients';

/** The impact of one docs change on every pact read; `shownFile` is how reports name a pact. */
export const impactOf = (c: SpecChange, pacts: readonly PactView[], shownFile: (file: string) => string = (f) => f): Impact => {
  const per = pacts.map((p) => ({ file: shownFile(p.file), touches: touchesOf(c, p) }));
  return { group: groupOf(SPEC_DIFF_RULES[c.ruleId].severity, per.some((p) => p.touches.length > 0)), pacts: per };
};
