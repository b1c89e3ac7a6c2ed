import type { Evidence } from './results.ts';
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
