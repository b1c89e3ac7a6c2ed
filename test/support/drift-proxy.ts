import type { IncomingHttpHeaders } from 'node:http';
import { startMutatingProxy } from './mutating-proxy.ts';

/**
 * A generic drifting provider for self-tests: it forwards every request to a real
 * upstream (normally the embedded simulator) and lets a test mutate the real answer
 * (the status, headers and body of the mutating proxy, with a simpler interface).
 * Checks are proven against drift applied to genuine responses, so they cannot be tuned
 * to a simulator option.
 *
 * It answers from the event loop of the process that started it. Run the CLI against it
 * with an asynchronous spawn (execFile, spawn, runCli): execFileSync or spawnSync stops
 * that loop until the child exits, so the child's first request (the preflight) is
 * accepted but never answered and the run ends "no answer ... in time", exit 2.
 */
export interface ProxiedExchange {
  method: string;
  path: string;
  requestHeaders: IncomingHttpHeaders;
  requestBody: Buffer;
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON body, or undefined when the upstream body was not JSON. */
  body: unknown;
  rawBody: Buffer;
}

export interface Mutation {
  status?: number;
  headers?: Record<string, string>;
  /** Replaces the body; a string or Buffer is sent as is, anything else as JSON. */
  body?: unknown;
}

export type Mutate = (x: ProxiedExchange) => Mutation | undefined | Promise<Mutation | undefined>;

export interface DriftProxy {
  url: string;
  close(): Promise<void>;
}

export const startDriftProxy = async (upstream: string, mutate: Mutate): Promise<DriftProxy> => {
  const proxy = await startMutatingProxy(upstream, async (x) => {
    const m = (await mutate(x)) ?? {};
    const headers = Object.fromEntries(Object.entries(m.headers ?? {}).map(([k, v]) => [k, v === DELETE_HEADER ? null : v]));
    return { ...('status' in m ? { status: m.status } : {}), headers, ...('body' in m ? { body: m.body } : {}) };
  });
  return { url: proxy.url, close: () => proxy.close() };
};

/** A `headers` value that removes the header from the upstream answer. */
export const DELETE_HEADER = '__delete__';
