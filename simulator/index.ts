import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ControlState, resetState } from './control.ts';
import { createLimiter } from './limiter.ts';
import { resolveOptions, type SimulatorOptions } from './options.ts';
import { createRequestHandler, onClientError } from './server.ts';
import { UserStore } from './store.ts';

/**
 * The embedded DevRev simulator: a local provider of rev-users.create and dev-users.create
 * (plus rev-users.delete and dev-users.deactivate, which cleanup calls) that answers as
 * DevRev documents. It is the default target of every command and the known provider the
 * suite's own tests run against.
 */
export {
  DEFAULT_RATE_LIMIT,
  DEFAULTS as SIMULATOR_DEFAULTS,
  LOAD_SIMULATOR,
  type RateLimitHeaderMode,
  type RateLimitOptions,
  SimulatorOptionError,
  type SimulatorOptions,
} from './options.ts';

export interface RunningSimulator {
  /** Base URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  host: string;
  port: number;
  /** Stops accepting connections, lets requests in flight finish, then resolves. */
  close(): Promise<void>;
}

/** Grace for requests in flight on close(); then the remaining connections are cut. */
const CLOSE_GRACE_MS = 5_000;

const urlOf = (host: string, port: number) => `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

const listen = (server: Server, port: number, host: string) =>
  new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });

export const startSimulator = async (o: SimulatorOptions = {}): Promise<RunningSimulator> => {
  const options = resolveOptions(o);
  const state: ControlState = {
    options,
    limiter: createLimiter(options.rateLimit, options.windowOffsetS),
    store: new UserStore(options.maxUsers),
    readOnly: new Set(),
    faults: [],
  };
  resetState(state);
  const server = createServer({ keepAlive: true }, createRequestHandler(state));
  server.on('clientError', onClientError);
  await listen(server, options.port, options.host);
  const port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | null = null;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      // Connections going idle after their last answer are closed as they become idle.
      const sweep = setInterval(() => server.closeIdleConnections(), 25);
      const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      server.close(() => {
        clearInterval(sweep);
        clearTimeout(cut);
        resolve();
      });
      server.closeIdleConnections();
    });
    return closing;
  };
  return { url: urlOf(options.host, port), host: options.host, port, close };
};
