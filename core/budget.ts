import { BudgetExhaustedError } from './errors.ts';

/** The run-wide request budget: every request any pillar sends is counted here first. */
export class RequestBudget {
  private used = 0;

  constructor(readonly max: number) {}

  get sent(): number {
    return this.used;
  }

  get remaining(): number {
    return Math.max(0, this.max - this.used);
  }

  /** Claims `n` requests or throws, before anything is sent. */
  take(n = 1): void {
    if (this.used + n > this.max) {
      throw new BudgetExhaustedError(
        `request budget of ${this.max} spent`,
        'raise --max-requests, or run fewer pillars with --only',
      );
    }
    this.used += n;
  }

  /** Claims up to `n` requests and returns how many were granted (for batch engines). */
  takeUpTo(n: number): number {
    const granted = Math.min(n, this.remaining);
    this.used += granted;
    return granted;
  }
}
