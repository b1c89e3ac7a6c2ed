import { UsageError } from '../core/errors.ts';
import type { RunContext } from '../core/run-context.ts';
import type { Target } from '../core/target.ts';
import { type LoadOptions, REMOTE_LOAD_MAX_REQUESTS } from './options.ts';

/**
 * What keeps load traffic where it belongs: loopback targets run as asked; anything else
 * needs --allow-remote (runSession refuses first; the engines check again, so a caller
 * that bypasses the CLI cannot fire at a remote host by mistake), a request cap and a
 * duration cap, and a plan printed before the first request.
 */
export const guardLoadTarget = (target: Target, allowRemote: boolean): void => {
  if (target.kind === 'remote' && !allowRemote) {
    throw new UsageError(`refusing to send load to remote target ${target.url}`, 'pass --allow-remote if you own it, or --skip load');
  }
};

/** DevRev's rate-limits page: the per-user window "resets every five minutes". */
export const DEVREV_WINDOW_S = 300;

/** How many requests a load command may send: its own cap, the run's budget, and a small default on remote targets. */
export const requestCap = (ctx: Pick<RunContext, 'target' | 'budget'>, o: Pick<LoadOptions, 'maxRequests'>): number => {
  const own = o.maxRequests ?? (ctx.target.kind === 'remote' ? REMOTE_LOAD_MAX_REQUESTS : Number.MAX_SAFE_INTEGER);
  return Math.max(0, Math.min(own, ctx.budget.remaining));
};

export interface LoadPlan {
  requests: number;
  durationS: number;
  /** Latest moment the token's quota may stay spent, seconds after the run starts. */
  quotaSpentForS: number;
  line: string;
}

/**
 * The line printed before firing at a remote target: how many requests, for how long, and
 * how long the token's quota may stay spent. The limit is per user across all APIs in a
 * five-minute window, so if this run exhausts it at its very end, every DevRev call of that
 * user is throttled for up to five more minutes.
 */
export const loadPlan = (command: string, target: Target, requests: number, durationS: number, startMs = Date.now()): LoadPlan => {
  const quotaSpentForS = Math.ceil(durationS) + DEVREV_WINDOW_S;
  const until = new Date(startMs + quotaSpentForS * 1000).toISOString().slice(11, 19);
  const line =
    `${command}: will send at most ${requests} requests to ${target.url} within ${Math.ceil(durationS)} s. ` +
    `DevRev limits each user across all APIs in a window that resets every 5 minutes: if these requests spend the quota, ` +
    `this token (and every API it calls) may stay throttled for up to ${Math.ceil(quotaSpentForS / 60)} min (${quotaSpentForS} s), until about ${until} UTC.`;
  return { requests, durationS, quotaSpentForS, line };
};

/** Guards, caps and (on remote targets) prints the plan; returns the request cap. */
export const preparePhase = (ctx: RunContext, o: LoadOptions, command: string, durationS: number): number => {
  guardLoadTarget(ctx.target, o.allowRemote);
  const cap = requestCap(ctx, o);
  if (ctx.target.kind === 'remote') o.say(loadPlan(command, ctx.target, cap, durationS).line);
  return cap;
};
