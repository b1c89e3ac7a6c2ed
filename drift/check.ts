import { documentedStatuses, type EndpointSpec } from '../api-model/shapes/endpoints.ts';
import { validate } from '../api-model/shapes/validate.ts';
import type { BasisName } from '../core/results.ts';
import { classifySchemaErrors } from './classify.ts';
import { checkContentType, checkRateLimitHeaders, type Observation } from './headers.ts';

/**
 * Everything the drift check reads in one answer: the status against the status the docs
 * give for the request, the Content-Type, the rate-limit headers, and the body against the
 * documented view (what a tolerant client relies on) and the strict view (what the docs
 * describe at all) of the schema for the status received.
 */
export interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: unknown;
}

export interface Expectation {
  status: number;
  basis: BasisName;
}

const bodyObservations = (endpoint: EndpointSpec, answer: Answer): Observation[] => {
  const schema = endpoint.responses[answer.status];
  if (!schema) return [];
  const errorStatus = answer.status >= 400;
  if (answer.json === undefined) {
    const actual = answer.text.length === 0 ? 'an empty body' : `not JSON: ${JSON.stringify(answer.text.slice(0, 60))}`;
    return [
      errorStatus
        ? {
            rule: 'error-body-undocumented',
            basis: 'spec',
            pointer: '',
            expected: 'the documented JSON error envelope',
            actual,
            message: `the ${answer.status} body is ${actual}`,
          }
        : {
            rule: 'response-property-type-changed',
            basis: 'spec',
            pointer: '',
            expected: 'object',
            actual,
            message: `the ${answer.status} body is ${actual}`,
          },
    ];
  }
  const documented = validate(schema, answer.json, 'documented').errors;
  const additions = validate(schema, answer.json, 'strict').errors.filter((e) => e.keyword === 'additionalProperties');
  return classifySchemaErrors([...documented, ...additions], answer.json, schema, { errorStatus }).map((c) => ({
    ...c,
    basis: 'spec' as const,
  }));
};

export const checkAnswer = (
  endpoint: EndpointSpec,
  expected: Expectation,
  answer: Answer,
  nowS: number,
): Observation[] => {
  const out: Observation[] = [];
  const documented = documentedStatuses(endpoint);
  if (!documented.includes(answer.status)) {
    out.push({
      rule: 'response-status-undocumented',
      basis: 'spec',
      pointer: '',
      expected: expected.status,
      actual: answer.status,
      message: `${answer.status} is not a status ${endpoint.name} documents (${documented.join(', ')}); expected ${expected.status}`,
    });
  } else if (answer.status !== expected.status) {
    out.push({
      rule: 'response-status-changed',
      basis: expected.basis,
      pointer: '',
      expected: expected.status,
      actual: answer.status,
      message: `answered ${answer.status}; the docs give ${expected.status} for this request`,
    });
  }
  out.push(...checkContentType(answer.headers));
  out.push(...checkRateLimitHeaders(answer.headers, { status: answer.status, body: answer.json, nowS }));
  out.push(...bodyObservations(endpoint, answer));
  return out;
};
