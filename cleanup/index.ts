import { readFileSync } from 'node:fs';
import { type EndpointModel, endpointModel } from '../api-model/endpoints/index.ts';
import { parseRetryAfter } from '../api-model/rate-limit/fields.ts';
import { RequestBudget } from '../core/budget.ts';
import { UsageError } from '../core/errors.ts';
import { HttpClient, type HttpResponse, TransportError } from '../core/http.ts';
import { Ledger, type LedgerEntry } from '../core/ledger.ts';
import type { RunContext } from '../core/run-context.ts';

/**
 * Leaves a real deployment as the run found it. Each record the ledger holds is removed
 * with the cleanup of the endpoint that created it, as its model says (api-model/endpoints):
 * a delete, or, where DevRev documents none, a deactivation, and then the record is listed
 * as remaining, with the reason.
 *
 * Cleanup has its own small budget and ignores the run's abort signal: a spent budget or a
 * Ctrl-C must never strand the records the run created.
 */
export interface CleanupReport {
  removed: LedgerEntry[];
  deactivated: LedgerEntry[];
  failed: Array<LedgerEntry & { reason: string }>;
}

const ATTEMPTS_PER_RECORD = 3;
/** Waits for the quota per record at most: DevRev's window resets every five minutes. */
const QUOTA_WAITS_PER_RECORD = 3;
/** Longest single wait for the quota, seconds: one DevRev window and a little. */
export const MAX_QUOTA_WAIT_S = 310;

export interface CleanupOptions {
  /** Where "waiting for the quota" lines go. */
  say?: (line: string) => void;
  /** Test seam: how a wait is spent. */
  sleep?: (ms: number) => Promise<void>;
}

/** The wait a 429 asks for, seconds: Retry-After (seconds or HTTP-date), else the body's retry_after; null when neither. */
const waitOf = (res: HttpResponse): number | null => {
  const ra = parseRetryAfter(res.headers['retry-after'], { dateHeader: res.headers['date'], nowMs: Date.now() });
  if (ra) return ra.seconds;
  const b = (res.json as { retry_after?: unknown } | null)?.retry_after;
  return typeof b === 'number' && Number.isFinite(b) && b >= 0 ? b : null;
};

/** How one ledger entry is removed: its endpoint's cleanup, or why it cannot be. */
export type CleanupStep =
  | { entry: LedgerEntry; cleanup: EndpointModel['cleanup']; request: { path: string; body: { id: string } } }
  | { entry: LedgerEntry; reason: string };

/**
 * The plan for the records a run created and has not yet removed: each with the cleanup
 * endpoint of the endpoint that created it, from the model (computed when called: an
 * endpoint a test adds is covered).
 */
export const cleanupPlan = (entries: readonly LedgerEntry[]): CleanupStep[] =>
  entries.map((entry) => {
    const m = endpointModel(entry.endpoint);
    if (!m) return { entry, reason: `no endpoint profile for ${entry.endpoint}: devrev-gate cannot remove it` };
    return { entry, cleanup: m.cleanup, request: { path: m.cleanup.endpoint.path, body: { id: entry.id } } };
  });

export const cleanupLedger = async (
  ctx: Pick<RunContext, 'target' | 'token' | 'redactor'>,
  ledger: Ledger,
  o: CleanupOptions = {},
): Promise<CleanupReport> => {
  const todo = ledger.outstanding();
  // A run that spent the user's quota leaves cleanup throttled: it waits for the quota
  // (the advertised time, up to one window) instead of failing, so it retries 429s itself.
  const http = new HttpClient(
    { ...ctx, budget: new RequestBudget(todo.length * (ATTEMPTS_PER_RECORD + QUOTA_WAITS_PER_RECORD)), signal: new AbortController().signal },
    { max429Retries: 0 },
  );
  const pause = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const send = async (request: { path: string; body: { id: string } }): Promise<HttpResponse> => {
    for (let waits = 0; ; waits++) {
      const res = await http.send(request);
      const wait = res.status === 429 ? waitOf(res) : null;
      if (res.status !== 429 || waits >= QUOTA_WAITS_PER_RECORD) return res;
      const s = Math.min(MAX_QUOTA_WAIT_S, wait ?? 5);
      o.say?.(`cleanup: throttled; waiting ${Math.ceil(s)} s for the quota (until ${new Date(Date.now() + s * 1000).toISOString().slice(11, 19)} UTC)`);
      await pause(s * 1000 + 100);
    }
  };
  const report: CleanupReport = { removed: [], deactivated: [], failed: [] };
  // Once nothing answers (the target died), every other attempt would fail the same way.
  let unreachable: string | null = null;
  for (const step of cleanupPlan(todo)) {
    const { entry } = step;
    if (unreachable) {
      ledger.record({ ...strip(entry), event: 'remove-failed', note: unreachable });
      report.failed.push({ ...entry, reason: unreachable });
      continue;
    }
    if ('reason' in step) {
      ledger.record({ ...strip(entry), event: 'remove-failed', note: step.reason });
      report.failed.push({ ...entry, reason: step.reason });
      continue;
    }
    const { cleanup } = step;
    const endpoint = cleanup.endpoint;
    try {
      const res = await send(step.request);
      // 404: the record is already gone (removed by hand or by an earlier cleanup).
      if (res.status === endpoint.successStatus || (cleanup.goneOn404 && res.status === 404)) {
        const note = res.status === 404 ? 'already gone' : cleanup.note;
        ledger.record({ ...strip(entry), event: cleanup.event, ...(note ? { note } : {}) });
        (cleanup.event === 'removed' ? report.removed : report.deactivated).push(entry);
      } else {
        const reason = `${endpoint.name} answered ${res.status}`;
        ledger.record({ ...strip(entry), event: 'remove-failed', note: reason });
        report.failed.push({ ...entry, reason });
      }
    } catch (err) {
      const reason = (err as Error).message;
      if (err instanceof TransportError && ['refused', 'reset', 'timeout', 'dns'].includes(err.failure)) unreachable = reason;
      ledger.record({ ...strip(entry), event: 'remove-failed', note: reason });
      report.failed.push({ ...entry, reason });
    }
  }
  return report;
};

const strip = (e: LedgerEntry) => {
  const { at: _at, runId: _runId, event: _event, note: _note, ...rest } = e;
  return rest;
};

/** Why a record its cleanup deactivated still exists, as its endpoint's model says it. */
const remainsWhy = (e: LedgerEntry): string => {
  const c = endpointModel(e.endpoint)?.cleanup;
  return c?.remains ?? `${c?.event ?? 'deactivated'} with ${c?.endpoint.name ?? 'its cleanup'}, not deleted`;
};

/** One line per reason a record still exists, naming the records (a few, then a count). */
export const describeRemaining = (report: CleanupReport): string[] => {
  const byReason = new Map<string, LedgerEntry[]>();
  const add = (reason: string, e: LedgerEntry) => byReason.set(reason, [...(byReason.get(reason) ?? []), e]);
  for (const e of report.deactivated) add(remainsWhy(e), e);
  for (const e of report.failed) add(`cleanup failed: ${e.reason}`, e);
  return [...byReason].map(([reason, entries]) => {
    const names = entries.slice(0, 5).map((e) => e.displayId ?? e.id);
    const more = entries.length > 5 ? ` and ${entries.length - 5} more (see ledger.jsonl)` : '';
    return `remains (${reason}): ${entries.length === 1 ? '' : `${entries.length} records: `}${names.join(', ')}${more}`;
  });
};

/** Reads a ledger file; a malformed one gets a one-line error naming the file and line. */
export const readLedgerFile = (file: string): Ledger => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read ledger ${file}`, 'pass the ledger.jsonl a run wrote to its --out folder');
  }
  const entries: LedgerEntry[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      throw new UsageError(`ledger ${file} line ${i + 1} is not JSON`, 'pass a ledger.jsonl written by devrev-gate');
    }
    const o = e as Partial<LedgerEntry>;
    const events = ['created', 'removed', 'deactivated', 'remove-failed'];
    if (!o || typeof o.id !== 'string' || typeof o.endpoint !== 'string' || !events.includes(String(o.event))) {
      throw new UsageError(`ledger ${file} line ${i + 1} is not a ledger entry`, 'pass a ledger.jsonl written by devrev-gate');
    }
    entries.push(o as LedgerEntry);
  });
  return Ledger.load(file, entries);
};
