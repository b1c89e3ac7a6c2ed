import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { Verifier } from '@pact-foundation/pact';
import { HttpClient, type HttpRequest, TransportError } from '../../core/http.ts';
import type { RunContext } from '../../core/run-context.ts';
import { stillAnswers } from '../../api-model/endpoints/still-answers.ts';
import { endpointOfCreatedBody, profileOf } from '../../api-model/endpoints/profiles.ts';
import { PROVIDER } from '../../core/pact-names.ts';
import { STATES, type StateContext, type StateSetter } from './states.ts';

/**
 * Provider verification: the pact replayed against a target through pact-js's Verifier.
 * One request filter does the work: it answers the state-change calls itself (so a state
 * that cannot be set fails that interaction's setup instead of being ignored, which is
 * what pact-js's own stateHandlers do), and it is the proxy to the target: the run's
 * shared HTTP client sends each request with the real token (or a state's token and
 * headers), counts it against the budget, waits out a transient 429/503 like every other
 * pillar, and decodes gzip and chunked answers, so the users a 201 created are read and
 * noted for cleanup and each interaction's answer is kept as evidence.
 */

const STATE_SETUP_PATH = '/_pactSetup';
/** In a state-change failure's text, so the verifier's report can be mapped back to a skip. */
export const CANNOT_SET = 'devrev-gate: state cannot be set';

/** Where the verifier's own report goes by default: a log file in the output folder. */
export const VERIFIER_LOG = 'pact-verifier.log';

export interface VerifyOptions {
  pactFile: string;
  states: StateSetter;
  /** How the token goes out (default: as the official SDK sends it). */
  auth?: ContractAuth;
  /** The verifier's own output: a log file (default `<outDir>/pact-verifier.log`, appended) or the terminal (--debug). */
  output?: { log: string } | 'terminal';
  /** Broker publication of the results, only when a broker is configured. */
  publish?: { brokerUrl: string; providerVersion: string; pactUrl: string; token?: string; username?: string; password?: string };
}

export interface VerifyOutcome {
  /** pact-ffi's verifier JSON (mismatches per interaction). */
  report: VerifierReport;
  /** States that could not be set, by state name. */
  unsettable: Map<string, string>;
  requestsSent: number;
  /** The answer each interaction got, by description. */
  answers: Map<string, CapturedAnswer>;
  /** Set when the target stopped answering during verification. */
  down: TargetDown | null;
  /** Ctrl-C/SIGTERM came during verification: only the answers kept before it count. */
  interrupted: boolean;
}

export interface VerifierReport {
  result?: boolean;
  errors?: Array<{ interaction: string; mismatch: VerifierMismatch }>;
  pendingErrors?: Array<{ interaction: string; mismatch: VerifierMismatch }>;
  output?: string[];
}

export interface VerifierMismatch {
  type: string;
  message?: string;
  mismatches?: Array<Record<string, unknown>>;
  interactionId?: string;
}

type Json = Record<string, unknown>;

// The slice of express's request and response the filter uses (pact-js runs it in express).
interface Request extends IncomingMessage {
  path: string;
  originalUrl: string;
  body?: unknown;
}
interface Response extends ServerResponse {
  status(code: number): Response;
  json(body: unknown): Response;
}
type NextFunction = (err?: unknown) => void;

/** What the provider answered one interaction, as the forwarding filter saw it. */
export interface CapturedAnswer {
  status: number;
  headers: Record<string, string>;
  /** Decompressed, decoded body text. */
  text: string;
  json: unknown;
  /** Still 429 after the shared client's bounded retries. */
  throttled: boolean;
  attempts: number;
  /** The request carried a token (the 401 interaction sends none). */
  tokenSent: boolean;
  curl: string;
}

/** The target stopped answering: the input sent just before, and what failed. */
export interface TargetDown {
  interaction: string | null;
  curl: string;
  failure: string;
}

/** How the token goes out: the official SDK's bare form, or the docs' `Bearer` form. */
export type ContractAuth = 'sdk' | 'bearer';

interface PactInteraction {
  description: string;
  path: string;
  states: string[];
}

const readInteractions = (file: string): PactInteraction[] => {
  const pact = JSON.parse(readFileSync(file, 'utf8')) as {
    interactions?: Array<{ description: string; request?: { path?: string }; providerStates?: Array<{ name: string }> }>;
  };
  return (pact.interactions ?? []).map((i) => ({
    description: i.description,
    path: i.request?.path ?? '',
    states: (i.providerStates ?? []).map((s) => s.name).sort(),
  }));
};

/**
 * States whose whole point is a transient answer: the shared client must not retry it away.
 * A throttled caller's 503 is still retried (within the bound): a 503 that clears into the
 * 429 is not the provider's fault, one that stays is (rate-limit-503-instead-of-429).
 */
const TRANSIENT_STATES: ReadonlySet<string> = new Set([STATES.throttled, STATES.serverFault]);
const RETRY_503_STATES: ReadonlySet<string> = new Set([STATES.throttled]);

/** Hop-by-hop and encoding headers: the body is sent on decoded, in one piece. */
const DROPPED_ANSWER_HEADERS = new Set(['content-encoding', 'content-length', 'transfer-encoding', 'connection', 'keep-alive']);
const DROPPED_REQUEST_HEADERS = new Set(['host', 'content-length', 'connection', 'authorization', 'accept-encoding', 'content-type', 'transfer-encoding', 'keep-alive']);

const recordCreated = (ctx: RunContext, answer: CapturedAnswer, description: string | null) => {
  if (answer.status !== 201 || !answer.json || typeof answer.json !== 'object') return;
  const body = answer.json as Json;
  const endpoint = endpointOfCreatedBody(body);
  const user = endpoint ? (body[profileOf(endpoint).spec.envelope] as Json | undefined) : undefined;
  if (!endpoint || !user || typeof user['id'] !== 'string') return;
  ctx.ledger.record({
    event: 'created',
    endpoint,
    id: user['id'],
    ...(typeof user['display_id'] === 'string' ? { displayId: user['display_id'] } : {}),
    ...(typeof user['external_ref'] === 'string' ? { externalRef: user['external_ref'] } : {}),
    ...(typeof user['email'] === 'string' ? { email: user['email'] } : {}),
    note: `contracts: ${description ?? 'interaction'}`,
  });
};

const CHILD = fileURLToPath(new URL('./verifier-process.js', import.meta.url));

/**
 * Runs pact-core's verifyPacts in a child process whose stdout and stderr go to `output`,
 * so the native verifier's report (it writes to fd 1 itself) never reaches the terminal
 * or a test log. The proxy pact-js starts, with our request filter, stays in this process.
 */
const verifyInChild = (opts: unknown, output: { log: string } | 'terminal', signal: AbortSignal): Promise<string> =>
  new Promise((resolve, reject) => {
    let fd: number | null = null;
    if (output !== 'terminal') {
      mkdirSync(dirname(output.log), { recursive: true });
      fd = openSync(output.log, 'a');
    }
    const sink = fd ?? 'inherit';
    const child = spawn(process.execPath, [CHILD], { stdio: ['pipe', sink, sink, 'pipe'] });
    const stop = () => child.kill();
    signal.addEventListener('abort', stop, { once: true });
    let answer = '';
    (child.stdio[3] as Readable).setEncoding('utf8').on('data', (c: string) => {
      answer += c;
    });
    child.on('error', reject);
    child.on('close', (code, sig) => {
      signal.removeEventListener('abort', stop);
      if (fd !== null) closeSync(fd);
      let parsed: { ok: boolean; out: string } | null = null;
      try {
        parsed = JSON.parse(answer) as { ok: boolean; out: string };
      } catch {
        // No answer: the process died (a crash in the native core, or a kill).
      }
      if (!parsed) {
        const where = output === 'terminal' ? '' : `; its output is in ${output.log}`;
        reject(new Error(`the Pact verifier process ended (${sig ?? `exit ${code}`}) without a report${where}`));
      } else if (parsed.ok) resolve(parsed.out);
      else reject(new Error(parsed.out));
    });
    child.stdin!.end(JSON.stringify(opts));
  });

type PactCore = { verifyPacts: (opts: unknown) => Promise<string> };
// The pact-core instance pact-js's Verifier calls (resolved from pact-js, as it resolves it).
const pactCore = (): PactCore => {
  const require = createRequire(import.meta.url);
  return createRequire(require.resolve('@pact-foundation/pact'))('@pact-foundation/pact-core').default as PactCore;
};

export const verifyPact = async (ctx: RunContext, o: VerifyOptions): Promise<VerifyOutcome> => {
  const stateCtx: StateContext = { runId: ctx.runId, token: ctx.token, fixtures: ctx.fixtures };
  const unsettable = new Map<string, string>();
  const answers = new Map<string, CapturedAnswer>();
  const interactions = readInteractions(o.pactFile);
  const assigned = new Set<string>();
  const http = new HttpClient(ctx);
  let down: TargetDown | null = null;
  let nextToken: string | undefined;
  let nextHeaders: Record<string, string> = {};
  let statesSince: string[] = [];
  let requestsSent = 0;

  // The verifier replays the interactions one at a time, each after its state setups: the
  // request is the first interaction not yet seen with this path and these states.
  const interactionFor = (path: string): string | null => {
    const states = [...statesSince].sort().join('\n');
    const open = interactions.filter((i) => !assigned.has(i.description) && i.path === path);
    const hit = open.find((i) => i.states.join('\n') === states) ?? open[0];
    if (!hit) return null;
    assigned.add(hit.description);
    return hit.description;
  };

  const forward = async (req: Request, res: Response) => {
    const description = interactionFor(req.path);
    const transient = statesSince.some((s) => TRANSIENT_STATES.has(s));
    const retry503 = !transient || statesSince.some((s) => RETRY_503_STATES.has(s));
    const token = nextToken ?? ctx.token;
    const extra = nextHeaders;
    nextToken = undefined;
    nextHeaders = {};
    statesSince = [];
    if (down) return void res.status(502).json({ error: 'devrev-gate: not sent, the target stopped answering' });

    const tokenSent = req.headers.authorization !== undefined;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v !== undefined && !DROPPED_REQUEST_HEADERS.has(k.toLowerCase())) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    // Without a token of our own (the embedded simulator needs none), the pact's own
    // Authorization goes out as the consumer wrote it.
    if (tokenSent && !token) headers['authorization'] = String(req.headers.authorization);
    const raw = Buffer.isBuffer(req.body) ? req.body : req.body === undefined ? undefined : JSON.stringify(req.body);
    const request: HttpRequest = {
      path: req.originalUrl,
      contentType: req.headers['content-type'] ?? null,
      // The pact's Authorization is the consumer's placeholder; no header (the 401 case) stays none.
      auth: tokenSent && token ? (o.auth === 'bearer' ? 'bearer' : 'raw') : 'none',
      headers: { ...headers, ...extra },
      retry429: !transient,
      retry503,
      ...(token ? { token } : {}),
      ...(raw === undefined ? {} : { rawBody: raw }),
    };
    const sentBefore = ctx.budget.sent;
    try {
      const answer = await http.send(request);
      const captured: CapturedAnswer = {
        status: answer.status,
        headers: answer.headers,
        text: answer.text,
        json: answer.json,
        throttled: answer.throttled,
        attempts: answer.attempts,
        tokenSent,
        curl: answer.curl,
      };
      if (description) answers.set(description, captured);
      recordCreated(ctx, captured, description);
      res.statusCode = answer.status;
      for (const [k, v] of Object.entries(answer.headers)) if (!DROPPED_ANSWER_HEADERS.has(k)) res.setHeader(k, v);
      res.end(answer.text);
    } catch (err) {
      if (err instanceof TransportError && err.failure !== 'aborted' && !(await stillAnswers(http, 0))) {
        down = { interaction: description, curl: http.curlFor(request), failure: err.message };
      }
      // 599: no HTTP answer; the verifier reports it against the interaction.
      res.status(599).json({ error: ctx.redactor.text((err as Error).message) });
    } finally {
      requestsSent += ctx.budget.sent - sentBefore;
    }
  };

  const requestFilter = (req: Request, res: Response, _next: NextFunction) => {
    if (req.path === STATE_SETUP_PATH && req.method === 'POST') {
      // After an interrupt no state is set: setting one can send requests of its own.
      if (ctx.signal.aborted) return void res.status(500).json({ error: 'devrev-gate: interrupted' });
      const body = (req.body ?? {}) as { state?: string; params?: Json; action?: string };
      if (body.action === 'teardown') return void res.json({});
      const state = String(body.state ?? '');
      // Interactions without a state get a setup call with an empty name: nothing to do.
      if (state === '') return void res.json({});
      o.states
        .setup(state, body.params ?? {}, stateCtx)
        .then((outcome) => {
          if (!outcome) {
            unsettable.set(state, o.states.name);
            statesSince = [];
            res.status(500).json({ error: `${CANNOT_SET} by ${o.states.name}: ${state}` });
            return;
          }
          statesSince.push(state);
          if (outcome.token) nextToken = outcome.token;
          if (outcome.headers) nextHeaders = { ...nextHeaders, ...outcome.headers };
          res.json(outcome.values ?? {});
        })
        .catch((err: Error) => {
          unsettable.set(state, `${o.states.name} (${err.message})`);
          statesSince = [];
          res.status(500).json({ error: `${CANNOT_SET} by ${o.states.name}: ${state}: ${err.message}` });
        });
      return;
    }
    // The filter is the whole proxy: the shared client sends the request (budget, retries
    // of transient 429/503, decompression), and the verifier sees the decoded answer.
    void forward(req, res);
  };

  const verifier = new Verifier({
    provider: PROVIDER,
    providerBaseUrl: ctx.target.url,
    pactUrls: [o.publish?.pactUrl ?? o.pactFile],
    requestFilter: requestFilter as never,
    logLevel: 'warn',
    timeout: 30_000,
    ...(o.publish
      ? {
          publishVerificationResult: true,
          providerVersion: o.publish.providerVersion,
          pactBrokerUrl: o.publish.brokerUrl,
          ...(o.publish.token ? { pactBrokerToken: o.publish.token } : {}),
          ...(o.publish.username ? { pactBrokerUsername: o.publish.username } : {}),
          ...(o.publish.password ? { pactBrokerPassword: o.publish.password } : {}),
        }
      : {}),
  });
  // pact-js builds the options (its proxy's URL and state path included) and calls
  // pact-core's verifyPacts; for this call that hands them to the child process instead.
  const core = pactCore();
  const output = o.output ?? { log: join(ctx.outDir, VERIFIER_LOG) };
  core.verifyPacts = (opts) => verifyInChild(opts, output, ctx.signal);
  let raw: string;
  try {
    raw = await verifier.verifyProvider();
  } catch (err) {
    raw = (err as Error).message;
  } finally {
    delete (core as Partial<PactCore>).verifyPacts;
  }
  const interrupted = ctx.signal.aborted;
  let report: VerifierReport;
  try {
    report = JSON.parse(raw) as VerifierReport;
  } catch {
    // An interrupt stops the verifier's process on purpose: no report is what it leaves.
    if (!interrupted) throw new Error(`pact verifier gave no report: ${raw.split('\n')[0]}`);
    report = {};
  }
  return { report, unsettable, requestsSent, answers, down, interrupted };
};
