import { checkRequest, type Violation } from '../api-model/prose-rules/request.ts';
import { endpointModel } from '../api-model/endpoints/index.ts';
import type { JsonCase } from './case.ts';

/**
 * The independent oracle: the rules module (api-model/prose-rules) decides, before a case is
 * sent, whether its label is right. A valid case must break no rule; an invalid one must
 * break the one rule it is labelled with (possibly at several places) and nothing else.
 * Disagreement is a generator bug, never a provider failure, so it stops the property
 * before anything is sent.
 */
export class MislabelledCase extends Error {
  constructor(
    readonly testCase: JsonCase,
    readonly body: unknown,
    readonly violations: Violation[],
  ) {
    super(
      `generator bug: class ${testCase.cls} labelled ${testCase.expect}${testCase.rule ? ` (${testCase.rule} at ${testCase.field || 'the body'})` : ''}, ` +
        `but the rules module finds ${violations.length === 0 ? 'no violation' : violations.map((v) => `${v.kind} at ${v.pointer || '/'}`).join(', ')}`,
    );
    this.name = 'MislabelledCase';
  }
}

/** Throws MislabelledCase unless the rules agree with the case's label; returns the violations. */
export const confirmLabel = (c: JsonCase, body: unknown): Violation[] => {
  const endpoint = endpointModel(c.endpoint)?.spec;
  if (!endpoint) throw new Error(`unknown endpoint ${c.endpoint}`);
  if (c.expect === 'any') return [];
  const violations = checkRequest(endpoint, body);
  // A case sent without a token carries a valid body, so the missing token is its only fault.
  const agrees =
    c.expect === 'valid' || c.expect === 'unauthorized'
      ? violations.length === 0
      : violations.length > 0 &&
        violations.every((v) => v.kind === c.rule && (c.field === undefined || v.field === c.field));
  if (!agrees) throw new MislabelledCase(c, body, violations);
  return violations;
};
