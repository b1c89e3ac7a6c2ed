import { readFileSync } from 'node:fs';
import { unescapeToken } from '../api-model/openapi/pointer.ts';
import type { SpecChange } from './diff.ts';
import { COMMITTED_PACT } from './pact-check.ts';
import { isObject } from './resolve.ts';

/**
 * Which of the suite's cases a docs change touches. The cases are the committed pact's
 * interactions (each a request the suite sends and the answer it relies on): a change
 * touches an interaction when it is on that interaction's endpoint and, for a change
 * inside a body, when that body holds the changed property (or, for an addition, its
 * parent object).
 */
interface Case {
  description: string;
  endpoint: string;
  status: number | null;
  request: unknown;
  response: unknown;
}

let cached: Case[] | undefined;

const bodyOf = (m: unknown): unknown => (isObject(m) && isObject(m['body']) ? m['body']['content'] : undefined);

export const pactCases = (file = COMMITTED_PACT): Case[] => {
  if (cached && file === COMMITTED_PACT) return cached;
  let list: Case[] = [];
  try {
    const pact = JSON.parse(readFileSync(file, 'utf8')) as { interactions?: Array<Record<string, unknown>> };
    list = (pact.interactions ?? []).map((i) => {
      const req = isObject(i['request']) ? i['request'] : {};
      const res = isObject(i['response']) ? i['response'] : {};
      return {
        description: String(i['description']),
        endpoint: String(req['path'] ?? '').replace(/^\//, ''),
        status: typeof res['status'] === 'number' ? res['status'] : null,
        request: bodyOf(req),
        response: bodyOf(res),
      };
    });
  } catch {
    // No pact (a fresh clone before `npm run pacts`): the changes still stand, without cases.
  }
  if (file === COMMITTED_PACT) cached = list;
  return list;
};

/** True when `body` holds a value at the instance path (`*` matches any array item or key). */
const holds = (body: unknown, tokens: string[]): boolean => {
  if (tokens.length === 0) return body !== undefined;
  const [t, ...rest] = tokens;
  if (Array.isArray(body)) return t === '*' ? body.some((x) => holds(x, rest)) : holds(body[Number(t)], rest);
  if (!isObject(body)) return false;
  if (t === '*') return Object.values(body).some((x) => holds(x, rest));
  return Object.hasOwn(body, t!) && holds(body[t!], rest);
};

const ADDITIONS = /-property-added(-required)?$/;

export const casesFor = (change: SpecChange, cases: Case[] = pactCases()): string[] => {
  const out = new Set<string>();
  for (const c of cases) {
    if (!change.endpoints.includes(c.endpoint)) continue;
    for (const place of change.places) {
      const m = /^(request body|response (\w+))(?: (\/.*)|( header .+))?$/.exec(place);
      if (!m) {
        // The endpoint itself, a parameter, its security: every case of the endpoint.
        out.add(c.description);
        continue;
      }
      const isResponse = m[2] !== undefined;
      if (isResponse && String(c.status) !== m[2]) continue;
      // Every request lacks a property that became required; every case of a status loses it.
      // A header is read off every answer of its status, whatever the body holds.
      if (m[4] !== undefined || change.ruleId === 'request-property-added-required' || change.ruleId === 'request-property-became-required' || change.ruleId === 'response-status-removed') {
        out.add(c.description);
        continue;
      }
      const tokens = (m[3] ?? '').split('/').slice(1).map(unescapeToken);
      const path = ADDITIONS.test(change.ruleId) ? tokens.slice(0, -1) : tokens;
      if (holds(isResponse ? c.response : c.request, path)) out.add(c.description);
    }
  }
  return [...out];
};
