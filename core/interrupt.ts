import type { CheckResult } from './results.ts';

/**
 * The reason every check an interrupt (Ctrl-C, SIGTERM) cut short carries. Such a check is
 * `skipped`: what it had not been answered proves nothing about the provider, so it keeps
 * no finding and SARIF gets no result from it.
 */
export const INTERRUPTED = 'interrupted';

export const cutShort = (c: CheckResult): CheckResult => ({ ...c, outcome: 'skipped', reason: INTERRUPTED, findings: [] });
