import { createHash } from 'node:crypto';
import type { Finding } from './results.ts';

/**
 * What names one finding across runs: its case, and the fingerprint SARIF carries in
 * `partialFingerprints` (code scanning matches alerts by it) and an ignore entry may give.
 * The report writers and the ignore file read it here, so the two always agree.
 */

/** The catalogue case (or generated class, or probe phase) a finding came from; its check when it names none. */
export const caseOf = (f: Pick<Finding, 'caseId' | 'checkId'>): string => f.caseId ?? f.checkId;

export const FINGERPRINT_KEY = 'devrevGateFinding/v1';

const text = (v: unknown) => (v === undefined ? '' : JSON.stringify(v));

/**
 * Rule, endpoint, status, pointer and case name a provider's finding; its observed value is
 * left out, since it may change from run to run (an id, a date) while the finding stays the
 * same. A finding about a document (it has `specPointers`) is named by both documents'
 * pointers and values too: those are fixed by the documents, and two changes at one place
 * (two enum values added) are two findings.
 */
export const fingerprintOf = (
  f: Pick<Finding, 'ruleId' | 'endpoint' | 'status' | 'pointer' | 'caseId' | 'checkId' | 'specPointers' | 'expected' | 'actual'>,
): string => {
  const parts = [f.ruleId, f.endpoint, String(f.status), f.pointer, caseOf(f)];
  if (f.specPointers) parts.push(f.specPointers.from ?? '', f.specPointers.to ?? '', text(f.expected), text(f.actual));
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
};
