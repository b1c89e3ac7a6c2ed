import type { CheckResult, Evidence, PillarName } from './results.ts';
import type { Redactor } from './redact.ts';

/**
 * What the provider said, kept with the finding that judged it: status, headers and the
 * body as text, redacted and cut, so a user can see the answer without a proxy.
 */
export const EVIDENCE_BODY_LIMIT = 2048;

export interface AnswerLike {
  status: number | null;
  headers: Record<string, string>;
  text: string;
}

export const evidenceOf = (answer: AnswerLike, redactor: Pick<Redactor, 'text' | 'headers'>): Evidence => {
  const body = redactor.text(answer.text);
  const truncated = body.length > EVIDENCE_BODY_LIMIT;
  return {
    status: answer.status,
    headers: redactor.headers(answer.headers),
    body: truncated ? `${body.slice(0, EVIDENCE_BODY_LIMIT)}…` : body,
    truncated,
  };
};

/**
 * The rule of the one finding a pillar reports when its target stopped answering in the
 * middle of a run: the run's traffic stops there, and the verdict line says so.
 */
export const TARGET_DOWN_RULE = 'target-stopped-answering';

/**
 * The one check a pillar adds when its target died mid-run: what failed, where, and the
 * input sent just before as the reproduction. The pillar sends nothing more.
 */
export const targetDownCheck = (o: { pillar: PillarName; endpoint: string; where: string; failure: string; reproduction: string; caseId?: string }): CheckResult => {
  const message = `the target stopped answering ${o.where} (${o.failure}), and a request after it got no answer either; nothing more was sent; the reproduction is the input sent just before`;
  return {
    id: `${o.pillar}.target`,
    pillar: o.pillar,
    name: 'the target keeps answering',
    endpoint: o.endpoint,
    outcome: 'fail',
    durationMs: 0,
    reason: `the target stopped answering ${o.where}`,
    findings: [
      {
        checkId: `${o.pillar}.target`,
        pillar: o.pillar,
        endpoint: o.endpoint,
        status: null,
        ruleId: TARGET_DOWN_RULE,
        severity: 'error',
        // Every request the document describes gets an answer; a dead port gives none.
        basis: 'spec',
        pointer: '',
        expected: 'an answer to every request',
        actual: o.failure,
        message,
        reproduction: o.reproduction,
        ...(o.caseId ? { caseId: o.caseId } : {}),
        evidence: { status: null, headers: {}, body: '', truncated: false },
      },
    ],
  };
};
