/**
 * Keeps secrets out of every artifact. By value: the token (and any configured secret) is
 * replaced by a fixed marker wherever it appears, in pact files, reports, logs, curl
 * reproductions and saved results. By name only where names mean secrets: headers
 * (`Authorization`, `Cookie`, `X-Api-Key`) and settings (`token`, `password`). Data keys are
 * never judged by name: a property class called `rev.no-token` keeps its count.
 */
export const REDACTED = '[REDACTED]';

export const SECRET_NAME = /token|key|secret|password|passwd|auth|cookie|session|credential/i;

/** Environment variables that configure a secret besides the token: their values are redacted wherever they appear. */
export const SECRET_ENV = ['DEVREV_TOKEN', 'PACT_BROKER_TOKEN', 'PACT_BROKER_PASSWORD'] as const;

export const secretsFromEnv = (env: NodeJS.ProcessEnv): string[] =>
  SECRET_ENV.map((name) => env[name]).filter((v): v is string => typeof v === 'string' && v.length > 0);

export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: Iterable<string | undefined | null> = []) {
    this.secrets = [...secrets].filter((s): s is string => typeof s === 'string' && s.length >= 4);
    // Longest first, so a secret containing another is replaced whole.
    this.secrets.sort((a, b) => b.length - a.length);
  }

  add(secret: string | undefined): void {
    if (secret && secret.length >= 4 && !this.secrets.includes(secret)) {
      this.secrets.push(secret);
      this.secrets.sort((a, b) => b.length - a.length);
    }
  }

  text(value: string): string {
    let out = value;
    for (const s of this.secrets) out = out.split(s).join(REDACTED);
    return out;
  }

  /** Header maps: secret-named headers lose their value entirely. */
  headers(headers: Record<string, string | string[] | undefined>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) continue;
      const joined = Array.isArray(value) ? value.join(', ') : value;
      out[name] = SECRET_NAME.test(name) ? REDACTED : this.text(joined);
    }
    return out;
  }

  /** Any JSON-like value (results, baselines): every string and key scrubbed of known secrets; numbers stay numbers. */
  deep<T>(value: T): T {
    const walk = (node: unknown): unknown => {
      if (typeof node === 'string') return this.text(node);
      if (Array.isArray(node)) return node.map(walk);
      if (node && typeof node === 'object') {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(node)) out[this.text(k)] = walk(v);
        return out;
      }
      return node;
    };
    return walk(value) as T;
  }

  /**
   * Settings (a config file's values, `devrev-gate config`'s table): a secret-named key's
   * scalar value is masked at any depth, the rest scrubbed by value.
   */
  config<T>(value: T): T {
    const walk = (node: unknown): unknown => {
      if (typeof node === 'string') return this.text(node);
      if (Array.isArray(node)) return node.map(walk);
      if (node && typeof node === 'object') {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(node)) {
          out[this.text(k)] = SECRET_NAME.test(k) && v !== null && typeof v !== 'object' ? REDACTED : walk(v);
        }
        return out;
      }
      return node;
    };
    return walk(value) as T;
  }
}
