/**
 * Exit codes a CI can act on, the same for every subcommand: 3 says the suite itself failed
 * (a generator mislabelled a case, a class was never generated, an internal error), a bug
 * to report, never blamed on the provider.
 */
export const EXIT = { PASS: 0, FAIL: 1, USAGE: 2, SUITE: 3, INTERRUPTED: 130 } as const;

/**
 * An error a person can act on: one line saying what is wrong and what to do. The CLI
 * prints `message` (and `hint`) without a stack and exits 2; `--debug` shows the stack.
 */
export class GateError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }

  oneLine(): string {
    return this.hint ? `${this.message}: ${this.hint}` : this.message;
  }
}

/** A bad option or file: the user must change the command. */
export class UsageError extends GateError {}

/** The environment is not as needed: target unreachable, port taken, folder unwritable. */
export class SetupError extends GateError {}

/** The run-wide request budget is spent. */
export class BudgetExhaustedError extends GateError {}
