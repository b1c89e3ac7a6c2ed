import type { TSchema } from '@sinclair/typebox';
import type { BasisName } from '../core/results.ts';
import type { HttpResponse } from '../core/http.ts';
import { endpointModel } from '../api-model/endpoints/index.ts';
import { type EndpointSpec, ErrorBadRequest } from '../api-model/shapes/endpoints.ts';
import { validate } from '../api-model/shapes/validate.ts';
import { pointerOf } from '../core/pointer.ts';
import { ECHO_BASIS } from '../api-model/cases/catalogue.ts';
import { echoMismatches } from '../api-model/cases/echo.ts';
import type { Case } from './case.ts';

/**
 * What the docs promise for an answer, and every way an answer breaks the promise. Only
 * documented facts are asserted: a valid request gets 201 with the documented envelope; an
 * invalid one gets 400 with a body of ANY documented 400 type (which type a breach gets is
 * not documented); nothing gets a 5xx.
 */
export interface Problem {
  /** Short rule name, appended to the property's rule id. */
  rule: string;
  basis: BasisName;
  /** RFC 6901 pointer into the response body ('' for the status line). */
  pointer: string;
  expected: unknown;
  actual: unknown;
  message: string;
}

const schemaProblems = (schema: TSchema, body: unknown, rule: string, what: string): Problem[] =>
  validate(schema, body, 'documented').errors.map((e) => ({
    rule,
    basis: 'spec' as const,
    pointer: e.pointer,
    expected: `${what}: ${e.message}`,
    actual: e.pointer === '' ? body : undefined,
    message: `${what} does not match the documented schema at ${e.pointer || '/'}: ${e.message}`,
  }));

/** The catalogue's echo fields the request set and the created record does not hold as sent. */
export const echoProblems = (endpoint: EndpointSpec, sent: Record<string, unknown>, user: Record<string, unknown>): Problem[] =>
  echoMismatches(endpoint.name, sent, user).map((m) => ({
    rule: 'echo',
    basis: ECHO_BASIS,
    pointer: `${pointerOf(endpoint.envelope!)}${m.echo.answer}`,
    expected: m.sent,
    actual: m.got,
    message:
      m.got === undefined
        ? `the created record lacks ${m.echo.field}, which the request set`
        : `the created record's ${m.echo.field} differs from what the request sent`,
  }));

const statusProblem = (expected: number | string, res: HttpResponse, basis: BasisName, rule = 'status'): Problem => ({
  rule,
  basis,
  pointer: '',
  expected,
  actual: res.status,
  message: `expected ${expected}, got ${res.status}`,
});

export interface Judgement {
  problems: Problem[];
  /** Id of a record the answer says was created (for the ledger). */
  createdId: string | null;
}

/** Every answer the document lists is `application/json`; a body in another type breaks it. */
export const contentTypeProblem = (res: Pick<HttpResponse, 'headers' | 'text'>): Problem | null => {
  if (res.text.length === 0) return null;
  const got = res.headers['content-type'];
  const media = (got ?? '').split(';')[0]!.trim().toLowerCase();
  if (media === 'application/json') return null;
  return {
    rule: 'content-type',
    basis: 'spec',
    pointer: '/headers/content-type',
    expected: 'application/json',
    actual: got ?? null,
    message: `the answer is ${got ? `\`${got}\`` : 'untyped'}; every answer the document lists is application/json`,
  };
};

/** `ruleBasis` is the basis of the rule the case is about (prose for E.164, spec for the enum, ...). */
export const judge = (c: Case, sentBody: unknown, res: HttpResponse, ruleBasis: BasisName): Judgement => {
  const judged = judgeBody(c, sentBody, res, ruleBasis);
  // Hostile inputs promise only "not a 5xx"; every other answer is a documented one.
  const typed = c.expect === 'any' ? null : contentTypeProblem(res);
  return typed ? { ...judged, problems: [typed, ...judged.problems] } : judged;
};

const judgeBody = (c: Case, sentBody: unknown, res: HttpResponse, ruleBasis: BasisName): Judgement => {
  const endpoint = endpointModel(c.endpoint)!.spec;
  const envelope = endpoint.envelope;
  const user =
    res.status === 201 && res.json && typeof res.json === 'object'
      ? ((res.json as Record<string, unknown>)[envelope] as Record<string, unknown> | undefined)
      : undefined;
  const createdId = user && typeof user['id'] === 'string' ? user['id'] : null;
  if (c.expect === 'any') {
    return { createdId, problems: res.status >= 500 ? [statusProblem('not 5xx', res, ruleBasis, 'no-5xx')] : [] };
  }
  if (c.expect === 'unauthorized') {
    if (res.status !== 401) return { createdId, problems: [statusProblem(401, res, ruleBasis)] };
    return { createdId, problems: schemaProblems(endpoint.responses[401]!, res.json, 'error-envelope', 'the 401 body') };
  }
  if (c.expect === 'valid') {
    if (res.status !== endpoint.successStatus) return { createdId, problems: [statusProblem(endpoint.successStatus, res, ruleBasis)] };
    const problems = schemaProblems(endpoint.responses[201]!, res.json, 'response-schema', 'the 201 body');
    if (problems.length === 0 && user) problems.push(...echoProblems(endpoint, sentBody as Record<string, unknown>, user));
    return { createdId, problems };
  }
  if (res.status !== 400) return { createdId, problems: [statusProblem(400, res, ruleBasis)] };
  return { createdId, problems: schemaProblems(ErrorBadRequest, res.json, 'error-envelope', 'the 400 body') };
};
