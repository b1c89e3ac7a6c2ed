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

  /** Created records the cleanup has not dealt with yet, oldest first. */
  outstanding(): LedgerEntry[] {
    const done = new Set(this.entries.filter((e) => e.event === 'removed' || e.event === 'deactivated').map((e) => e.id));
    return this.entries.filter((e) => e.event === 'created' && !done.has(e.id));
  }

  /** Records that still exist on the target: not removed (deactivated ones remain). */
  remaining(): LedgerEntry[] {
    const removed = new Set(this.entries.filter((e) => e.event === 'removed').map((e) => e.id));
    return this.entries.filter((e) => e.event === 'created' && !removed.has(e.id));
  }

  counts(): { created: number; removed: number } {
    return {
      created: this.entries.filter((e) => e.event === 'created').length,
      removed: this.entries.filter((e) => e.event === 'removed').length,
    };
  }

  /** Loads a ledger file written by an earlier (perhaps interrupted) run. */
  static load(file: string, entries: LedgerEntry[]): Ledger {
    const ledger = new Ledger(file, entries[0]?.runId ?? 'unknown');
    ledger.entries.push(...entries);
    return ledger;
  }
}
