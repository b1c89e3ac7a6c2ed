import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { SetupError } from '../../core/errors.ts';
import { CONSUMER, PROVIDER } from '../../core/pact-names.ts';

/**
 * The Pact Broker, when one is configured (PACT_BROKER_BASE_URL plus a token or a
 * username/password): publish the pacts, let the verifier publish its results, and ask
 * can-i-deploy. The pact-cli's `pact-broker` binary does the talking. Credentials go to it
 * through its environment, never its arguments, so no command line shows them.
 *
 * can-i-deploy exits 1 both when the broker is down and when it refuses. The two
 * are told apart before and after: a short reachability probe first (the CLI retries an
 * unreachable broker for about a minute), and `--output json`, whose `summary.deployable`
 * is the broker's answer; no JSON means the broker never answered.
 */
export interface BrokerConfig {
  baseUrl: string;
  token?: string;
  username?: string;
  password?: string;
  consumerVersion: string;
  providerVersion: string;
  branch?: string;
}

/** The broker settings from the environment, or null when none is configured. */
export const brokerFromEnv = (env: NodeJS.ProcessEnv, versions: { consumerVersion: string; providerVersion: string }): BrokerConfig | null => {
  const baseUrl = env['PACT_BROKER_BASE_URL'];
  if (!baseUrl) return null;
  const token = env['PACT_BROKER_TOKEN'];
  const username = env['PACT_BROKER_USERNAME'];
  const password = env['PACT_BROKER_PASSWORD'];
  if (!token && !(username && password)) {
    throw new SetupError('PACT_BROKER_BASE_URL is set without credentials', 'set PACT_BROKER_TOKEN, or PACT_BROKER_USERNAME and PACT_BROKER_PASSWORD');
  }
  return {
    baseUrl: baseUrl.replace(/\/+$/, ''),
    ...(token ? { token } : {}),
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    consumerVersion: env['PACT_CONSUMER_VERSION'] ?? versions.consumerVersion,
    providerVersion: env['PACT_PROVIDER_VERSION'] ?? versions.providerVersion,
    ...(env['PACT_BROKER_BRANCH'] ? { branch: env['PACT_BROKER_BRANCH'] } : {}),
  };
};

/** The `pact-broker` binary of @pact-foundation/pact-cli. */
export const pactBrokerBin = (): string => {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('@pact-foundation/pact-cli/package.json');
  const local = join(dirname(dirname(dirname(pkg))), '.bin', 'pact-broker');
  return existsSync(local) ? local : 'pact-broker';
};

export interface BrokerCommand {
  bin: string;
  args: string[];
  /** Credentials for the child, by the variable names the CLI reads. */
  env: Record<string, string>;
}

const credentials = (b: BrokerConfig): Record<string, string> => ({
  PACT_BROKER_BASE_URL: b.baseUrl,
  ...(b.token ? { PACT_BROKER_TOKEN: b.token } : {}),
  ...(b.username ? { PACT_BROKER_USERNAME: b.username } : {}),
  ...(b.password ? { PACT_BROKER_PASSWORD: b.password } : {}),
});

export const publishCommand = (b: BrokerConfig, pactFile: string, bin = pactBrokerBin()): BrokerCommand => ({
  bin,
  args: [
    'publish',
    pactFile,
    '--broker-base-url',
    b.baseUrl,
    '--consumer-app-version',
    b.consumerVersion,
    ...(b.branch ? ['--branch', b.branch] : []),
    '--retries',
    '0',
  ],
  env: credentials(b),
});

/** Can this consumer version and this provider version go out together? */
export const canIDeployCommand = (b: BrokerConfig, bin = pactBrokerBin()): BrokerCommand => ({
  bin,
  args: [
    'can-i-deploy',
    '--pacticipant',
    CONSUMER,
    '--version',
    b.consumerVersion,
    '--pacticipant',
    PROVIDER,
    '--version',
    b.providerVersion,
    '--broker-base-url',
    b.baseUrl,
    '--output',
    'json',
    '--retries',
    '0',
  ],
  env: credentials(b),
});

/** The URL of the pact this run published, which the verifier reads to publish its results. */
export const publishedPactUrl = (b: BrokerConfig): string =>
  `${b.baseUrl}/pacts/provider/${encodeURIComponent(PROVIDER)}/consumer/${encodeURIComponent(CONSUMER)}/version/${encodeURIComponent(b.consumerVersion)}`;

export const commandLine = (c: BrokerCommand): string =>
  [c.bin, ...c.args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');

/** Throws a one-line SetupError when nothing answers HTTP at the broker's address. */
export const probeBroker = async (b: BrokerConfig, timeoutMs = 3_000): Promise<void> => {
  try {
    await fetch(b.baseUrl, { method: 'GET', signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new SetupError(`Pact Broker ${b.baseUrl} cannot be reached (${cause})`, 'check PACT_BROKER_BASE_URL and the network');
  }
};

export interface RunOutput {
  code: number;
  stdout: string;
  stderr: string;
}

export const runBroker = (c: BrokerCommand, timeoutMs = 60_000): Promise<RunOutput> =>
  new Promise((resolve) => {
    execFile(
      c.bin,
      c.args,
      { env: { ...process.env, ...c.env }, timeout: timeoutMs, maxBuffer: 8 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 127) : 0;
        resolve({ code, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });

export type Deployability = { verdict: 'deployable' | 'refused'; reason: string } | { verdict: 'unreachable'; reason: string };

/** Reads can-i-deploy's `--output json`: the broker's summary, or no answer at all. */
export const classifyCanIDeploy = (out: RunOutput): Deployability => {
  const start = out.stdout.indexOf('{');
  if (start >= 0) {
    try {
      const json = JSON.parse(out.stdout.slice(start)) as { summary?: { deployable?: boolean | null; reason?: string } };
      if (json.summary) {
        return {
          verdict: json.summary.deployable === true ? 'deployable' : 'refused',
          reason: json.summary.reason ?? (json.summary.deployable ? 'all verified' : 'not verified'),
        };
      }
    } catch {
      // fall through: not the broker's answer
    }
  }
  const line = `${out.stderr}\n${out.stdout}`.split('\n').map((l) => l.replace(/^❌\s*/, '').trim()).find((l) => l.length > 0);
  return { verdict: 'unreachable', reason: line ?? `pact-broker exited ${out.code} without an answer` };
};
