import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { RequestBudget } from './budget.ts';
import type { Fixtures } from './config.ts';
import { Ledger } from './ledger.ts';
import { Redactor, secretsFromEnv } from './redact.ts';
import type { Target } from './target.ts';

/**
 * The one run context every pillar takes: who we are talking to, with what token, how
 * many requests we may still send, what must never appear in an artifact, what we created,
 * and when to stop. Pillars never read process.env or install signal handlers themselves.
 */
export interface RunContext {
  readonly runId: string;
  readonly target: Target;
  readonly token: string | undefined;
  readonly outDir: string;
  readonly budget: RequestBudget;
  readonly redactor: Redactor;
  readonly ledger: Ledger;
  /** Aborted on Ctrl-C / SIGTERM: stop sending, let requests in flight finish. */
  readonly signal: AbortSignal;
  /** Tenant fixtures for full creates on real targets (the config file's `fixtures:`). */
  readonly fixtures: Fixtures;
  readonly quiet: boolean;
}

export type { Fixtures } from './config.ts';

/** Default request budgets: generous on this machine, small where someone pays for it. */
export const DEFAULT_BUDGET = { simulator: 1_000_000, loopback: 1_000_000, remote: 200 } as const;

/** Short, sortable, unique enough to tag every record a run creates. */
export const newRunId = (): string =>
  `dg${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;

export interface RunContextOptions {
  target: Target;
  token?: string;
  outDir: string;
  runId?: string;
  maxRequests?: number;
  signal?: AbortSignal;
  fixtures?: Fixtures;
  quiet?: boolean;
}

export const createRunContext = (o: RunContextOptions): RunContext => {
  const runId = o.runId ?? newRunId();
  // The embedded simulator forgets its users on exit; a ledger matters everywhere else.
  const simulator = o.target.kind === 'simulator';
  return {
    runId,
    target: o.target,
    token: o.token,
    outDir: o.outDir,
    budget: new RequestBudget(o.maxRequests ?? DEFAULT_BUDGET[o.target.kind]),
    redactor: new Redactor([o.token, ...secretsFromEnv(process.env)]),
    ledger: new Ledger(simulator ? null : join(o.outDir, 'ledger.jsonl'), runId, !simulator),
    signal: o.signal ?? new AbortController().signal,
    fixtures: o.fixtures ?? {},
    quiet: o.quiet ?? false,
  };
};

/**
 * Turns the first SIGINT/SIGTERM into an abort, so pillars stop sending and the results
 * gathered so far are written; a second signal exits at once.
 */
export const abortOnSignals = (): { signal: AbortSignal; dispose: () => void; received: () => string | null } => {
  const controller = new AbortController();
  let got: string | null = null;
  const handler = (sig: NodeJS.Signals) => {
    if (got) process.exit(130);
    got = sig;
    process.stderr.write(`\n${sig} received: stopping, writing results gathered so far (again to quit at once)\n`);
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    received: () => got,
    dispose: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
};
