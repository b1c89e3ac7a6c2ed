import { Verifier } from '@pact-foundation/pact';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RunContext } from '../../core/run-context.ts';
import { endpointOfCreatedBody, PROFILES } from '../../api-model/endpoints/profiles.ts';
import { PROVIDER } from './names.ts';
import type { StateContext, StateSetter } from './states.ts';

/**
 * Provider verification: the pact replayed against a target through pact-js's Verifier.
 * One request filter does three jobs: it answers the state-change calls itself (so a state
 * that cannot be set fails that interaction's setup instead of being ignored, which is
 * what pact-js's own stateHandlers do), it puts the real token (or a state's token) into
 * `Authorization`, and it counts every request against the run's budget and notes every
 * user a 201 created, for cleanup.
 */

const STATE_SETUP_PATH = '/_pactSetup';
/** In a state-change failure's text, so the verifier's report can be mapped back to a skip. */
export const CANNOT_SET = 'devrev-gate: state cannot be set';

export interface VerifyOptions {
  pactFile: string;
  states: StateSetter;
  /** Broker publication of the results, only when a broker is configured. */
  publish?: { brokerUrl: string; providerVersion: string; pactUrl: string; token?: string; username?: string; password?: string };
}

export interface VerifyOutcome {
  /** pact-ffi's verifier JSON (mismatches per interaction). */
  report: VerifierReport;
  /** States that could not be set, by state name. */
  unsettable: Map<string, string>;
  requestsSent: number;
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
  body?: unknown;
}
interface Response extends ServerResponse {
  status(code: number): Response;
  json(body: unknown): Response;
}
type NextFunction = (err?: unknown) => void;

const captureCreated = (ctx: RunContext, req: Request, res: Response) => {
  const chunks: Buffer[] = [];
  const write = res.write.bind(res) as (...a: unknown[]) => boolean;
  const end = res.end.bind(res) as (...a: unknown[]) => Response;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    if (chunk) chunks.push(Buffer.from(chunk as Buffer));
    return write(chunk, ...rest);
  }) as Response['write'];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    if (chunk && typeof chunk !== 'function') chunks.push(Buffer.from(chunk as Buffer));
    if (res.statusCode === 201) {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json;
        const endpoint = endpointOfCreatedBody(body);
        const user = endpoint ? (body[PROFILES[endpoint].spec.envelope] as Json | undefined) : undefined;
        if (endpoint && user && typeof user['id'] === 'string') {
          ctx.ledger.record({
            event: 'created',
            endpoint,
            id: user['id'],
            ...(typeof user['display_id'] === 'string' ? { displayId: user['display_id'] } : {}),
            ...(typeof user['external_ref'] === 'string' ? { externalRef: user['external_ref'] } : {}),
            ...(typeof user['email'] === 'string' ? { email: user['email'] } : {}),
            note: `contracts: ${req.path}`,
          });
        }
      } catch {
        // Not JSON: the verification reports the mismatch; there is nothing to clean up.
      }
    }
    return end(chunk, ...rest);
  }) as Response['end'];
};

export const verifyPact = async (ctx: RunContext, o: VerifyOptions): Promise<VerifyOutcome> => {
  const stateCtx: StateContext = { runId: ctx.runId, token: ctx.token, fixtures: ctx.fixtures };
  const unsettable = new Map<string, string>();
  let nextToken: string | undefined;
  let requestsSent = 0;

  const requestFilter = (req: Request, res: Response, next: NextFunction) => {
    if (req.path === STATE_SETUP_PATH && req.method === 'POST') {
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
            res.status(500).json({ error: `${CANNOT_SET} by ${o.states.name}: ${state}` });
            return;
          }
          if (outcome.token) nextToken = outcome.token;
          res.json(outcome.values ?? {});
        })
        .catch((err: Error) => {
          unsettable.set(state, `${o.states.name} (${err.message})`);
          res.status(500).json({ error: `${CANNOT_SET} by ${o.states.name}: ${state}: ${err.message}` });
        });
      return;
    }
    try {
      ctx.budget.take(1);
    } catch (err) {
      return void res.status(599).json({ error: (err as Error).message });
    }
    requestsSent += 1;
    const token = nextToken ?? ctx.token;
    nextToken = undefined;
    // The pact's Authorization is the consumer's placeholder; no header (the 401 case) stays none.
    if (req.headers.authorization !== undefined && token) req.headers.authorization = token;
    captureCreated(ctx, req, res);
    next();
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
  let raw: string;
  try {
    raw = await verifier.verifyProvider();
  } catch (err) {
    raw = (err as Error).message;
  }
  let report: VerifierReport;
  try {
    report = JSON.parse(raw) as VerifierReport;
  } catch {
    throw new Error(`pact verifier gave no report: ${raw.split('\n')[0]}`);
  }
  return { report, unsettable, requestsSent };
};
