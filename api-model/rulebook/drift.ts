import type { RuleInfo } from './types.ts';

/**
 * Rules of the drift check: id → severity → reason. Ids follow oasdiff's naming so a
 * reader who knows oasdiff reads them at sight; the difference is that these compare the
 * live provider with the pinned documents, not two documents with each other. The basis
 * is the answer's (a status is `spec` for one case and `assumed` for another), so it is
 * given per finding.
 */
export const DRIFT_RULES = {
  'response-status-undocumented': {
    severity: 'error',
    reason: 'the endpoint does not list this status, so no client has a branch for it',
  },
  'response-status-changed': {
    severity: 'error',
    reason: 'clients branch on the status: a documented request got another answer than the docs give for it',
  },
  'response-content-type-changed': {
    severity: 'error',
    reason: 'every documented answer is application/json; clients decode by it',
  },
  'error-body-undocumented': {
    severity: 'error',
    reason: 'an error body that is not the documented JSON envelope leaves a client without the error `type`',
  },
  'response-required-property-missing': {
    severity: 'error',
    reason: 'a property the docs require is absent; a client reading it gets undefined',
  },
  'response-property-became-nullable': {
    severity: 'error',
    reason: 'null where the docs never allow it crashes clients that dereference the value',
  },
  'response-property-type-changed': {
    severity: 'error',
    reason: 'a value of another JSON type fails typed decoders and generated SDK models',
  },
  'response-discriminator-unknown': {
    severity: 'error',
    reason: 'a `type` outside the documented variants leaves a client no variant to decode into',
  },
  'response-enum-value-unknown': {
    severity: 'error',
    reason: 'the documented enums are closed (no extensible marker); exhaustive client switches fall through',
  },
  'response-property-format-changed': {
    severity: 'error',
    reason: 'right JSON type, wrong format (date-time, int32/int64): date and number parsing in clients fails',
  },
  'baseline-property-removed': {
    severity: 'warning',
    reason: 'a property seen in the recorded baseline is gone; undocumented ones are no contract, but clients may rely on them',
  },
  'baseline-property-type-changed': {
    severity: 'warning',
    reason: 'a property seen in the recorded baseline now has another JSON type',
  },
  'response-property-added': {
    severity: 'info',
    reason: 'an undocumented property: tolerant readers ignore it, but the docs no longer describe the answer',
  },
  'ignore-entry-expired': {
    severity: 'error',
    reason: 'an ignore entry past its expiry date must be renewed or removed, or old drift hides for good',
  },
} as const satisfies Record<string, RuleInfo>;
