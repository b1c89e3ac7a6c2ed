/**
 * Progress for long runs, on stderr so stdout stays machine-readable. On a terminal one
 * line is redrawn in place; elsewhere (CI logs) a plain line is printed at most every
 * `intervalMs`, and always for the final state.
 */
export interface ProgressOptions {
  stream?: NodeJS.WriteStream;
  intervalMs?: number;
  quiet?: boolean;
}

export class Progress {
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly intervalMs: number;
  private lastPlain = 0;
  private drawn = false;

  constructor(
    private readonly label: string,
    private readonly options: ProgressOptions = {},
  ) {
    this.stream = options.stream ?? process.stderr;
    this.tty = Boolean(this.stream.isTTY);
    this.intervalMs = options.intervalMs ?? 2000;
  }

  update(status: string): void {
    if (this.options.quiet) return;
    if (this.tty) {
      this.stream.write(`\r\x1b[2K${this.label}: ${status}`);
      this.drawn = true;
      return;
    }
    const now = Date.now();
    if (now - this.lastPlain >= this.intervalMs) {
      this.lastPlain = now;
      this.stream.write(`${this.label}: ${status}\n`);
    }
  }

  done(status: string): void {
    if (this.options.quiet) return;
    if (this.tty && this.drawn) this.stream.write('\r\x1b[2K');
    this.stream.write(`${this.label}: ${status}\n`);
  }
}
