import { RequestBudget } from '../core/budget.ts';
import { BudgetExhaustedError } from '../core/errors.ts';

/**
 * The pillar's own request budget (`--budget N`), drawn from the run-wide one: a request
 * counts against both, and whichever runs out first stops the pillar.
 */
export class PillarBudget extends RequestBudget {
  constructor(
    max: number,
    private readonly parent: RequestBudget,
  ) {
    super(max);
  }

  override take(n = 1): void {
    if (this.sent + n > this.max) {
      throw new BudgetExhaustedError(`properties request budget of ${this.max} spent`, 'raise --budget, or lower --runs');
    }
    this.parent.take(n);
    super.take(n);
  }

  override takeUpTo(n: number): number {
    const granted = this.parent.takeUpTo(Math.min(n, this.remaining));
    super.take(granted);
    return granted;
  }

  override get remaining(): number {
    return Math.min(Math.max(0, this.max - this.sent), this.parent.remaining);
  }
}
