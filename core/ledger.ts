import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Every record the suite creates on a target, appended to a JSON-lines file the moment
 * the provider confirms it, so an interrupted run still knows what to remove.
 */
export interface LedgerEntry {
  at: string;
  runId: string;
  /** Dev users cannot be deleted through the documented API, only deactivated. */
  event: 'created' | 'removed' | 'deactivated' | 'remove-failed';
  endpoint: string;
  id: string;
  displayId?: string;
  externalRef?: string;
  email?: string;
  note?: string;
}

export class Ledger {
  private readonly entries: LedgerEntry[] = [];

  /**
   * `file` null keeps the ledger in memory only. `enabled` false (the embedded simulator,
   * which forgets its users on exit) records nothing, so no pillar has to check.
   */
  constructor(
    readonly file: string | null,
    readonly runId: string,
    private readonly enabled = true,
  ) {}

  record(entry: Omit<LedgerEntry, 'at' | 'runId'>): void {
    if (!this.enabled) return;
    const full: LedgerEntry = { at: new Date().toISOString(), runId: this.runId, ...entry };
    this.entries.push(full);
    if (this.file) {
      mkdirSync(dirname(this.file), { recursive: true });
      appendFileSync(this.file, `${JSON.stringify(full)}\n`);
    }
  }

  all(): readonly LedgerEntry[] {
    return this.entries;
  }

  /**
   * Records are keyed by endpoint and id, and each create is its own record: a provider
   * that hands out the same id twice (a mock's static example) gives two records, and one
   * removal settles one of them, never both, nor a record of the other endpoint.
   */
  private unsettled(settles: (e: LedgerEntry) => boolean): LedgerEntry[] {
    const key = (e: LedgerEntry) => `${e.endpoint}\u0000${e.id}`;
    const settled = new Map<string, number>();
    for (const e of this.entries) if (settles(e)) settled.set(key(e), (settled.get(key(e)) ?? 0) + 1);
    return this.entries.filter((e) => {
      if (e.event !== 'created') return false;
      const left = settled.get(key(e)) ?? 0;
      if (left === 0) return true;
      settled.set(key(e), left - 1);
      return false;
    });
  }

  /** Created records the cleanup has not dealt with yet, oldest first. */
  outstanding(): LedgerEntry[] {
    return this.unsettled((e) => e.event === 'removed' || e.event === 'deactivated');
  }

  /** Records that still exist on the target: not removed (deactivated ones remain). */
  remaining(): LedgerEntry[] {
    return this.unsettled((e) => e.event === 'removed');
  }

  /** The remaining records, each with the last word on it: why it is still on the target. */
  leftBehind(): Array<{ endpoint: string; id: string; displayId?: string; why: string; deactivated?: true }> {
    return this.remaining().map((e) => {
      const last = this.entries.findLast((x) => x.event !== 'created' && x.endpoint === e.endpoint && x.id === e.id);
      const why = last ? (last.note ?? last.event) : 'not removed: the cleanup did not reach it';
      const deactivated = last?.event === 'deactivated' ? { deactivated: true as const } : {};
      return { endpoint: e.endpoint, id: e.id, ...(e.displayId ? { displayId: e.displayId } : {}), why, ...deactivated };
    });
  }

  /** created = removed + remaining, always: the summary, the terminal and the file agree. */
  counts(): { created: number; removed: number } {
    const created = this.entries.filter((e) => e.event === 'created').length;
    return { created, removed: created - this.remaining().length };
  }

  /** Loads a ledger file written by an earlier (perhaps interrupted) run. */
  static load(file: string, entries: LedgerEntry[]): Ledger {
    const ledger = new Ledger(file, entries[0]?.runId ?? 'unknown');
    ledger.entries.push(...entries);
    return ledger;
  }
}
