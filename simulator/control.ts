import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { CONTROL_PREFIX, isControlRoute } from '../core/simulator-control.ts';
import { takeUniqueValue } from './api.ts';
import type { Limiter } from './limiter.ts';
import type { ResolvedOptions } from './options.ts';
import type { UserStore } from './store.ts';

/**
 * The reserved setup routes under /__simulator/: what Pact provider states and self-tests
 * use to put the provider in a known state without restarting it. No auth, JSON in and
 * out, never rate-limited; they exist only on the simulator, never on DevRev.
 *
 *   POST /__simulator/reset                               everything back to the start
 *   POST /__simulator/taken   {"endpoint","field","value"} that value of the endpoint's unique field is taken
 *   POST /__simulator/faults           {"status", "count"} the next N API requests get 500/503
 *   POST /__simulator/read-only-tokens {"token"}           that token gets 403 on writes
 *   POST /__simulator/throttle         {"token"}           spends that user's quota: next is 429
 *   GET  /__simulator/users                                the users kept: ids, state, refs or email
 */
export interface ControlState {
  options: ResolvedOptions;
  limiter: Limiter | null;
  store: UserStore;
  readOnly: Set<string>;
  faults: Array<{ status: 500 | 503; count: number }>;
}

type Send = (res: ServerResponse, status: number, headers: OutgoingHttpHeaders, body: unknown) => void;

class ControlError extends Error {}

const fieldOf = (body: Record<string, unknown>, name: string): string => {
  const v = body[name];
  if (typeof v !== 'string' || v.length === 0) throw new ControlError(`"${name}" must be a non-empty string`);
  return v;
};

const parse = (raw: Buffer | null): Record<string, unknown> => {
  if (raw === null) throw new ControlError('body too large');
  if (raw.length === 0) return {};
  let v: unknown;
  try {
    v = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ControlError('body must be JSON');
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ControlError('body must be a JSON object');
  return v as Record<string, unknown>;
};

export const resetState = (state: ControlState) => {
  state.store.clear();
  state.limiter?.clear();
  state.faults.length = 0;
  state.readOnly.clear();
  for (const t of state.options.readOnlyTokens) state.readOnly.add(t);
};

export const handleControl = (
  state: ControlState,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  raw: Buffer | null,
  send: Send,
) => {
  const name = path.slice(CONTROL_PREFIX.length);
  const method = req.method ?? 'GET';
  try {
    if (name === 'users' && method === 'GET') {
      return send(res, 200, {}, {
        rev_users: [...state.store.rev.values()].map((u) => ({ id: u.id, display_id: u.displayId, state: u.state, external_refs: u.holds })),
        dev_users: [...state.store.dev.values()].map((u) => ({ id: u.id, display_id: u.displayId, state: u.state, email: u.holds[0] })),
      });
    }
    if (method !== 'POST') return send(res, 404, {}, { message: `no reserved route ${method} ${path}` });
    const body = parse(raw);
    if (!isControlRoute(name)) return send(res, 404, {}, { message: `no reserved route ${method} ${path}` });
    switch (name) {
      case 'reset':
        resetState(state);
        return send(res, 200, {}, {});
      case 'taken': {
        const endpoint = fieldOf(body, 'endpoint');
        const field = fieldOf(body, 'field');
        if (!takeUniqueValue(state.store, endpoint, field, fieldOf(body, 'value'))) {
          throw new ControlError(`${JSON.stringify(field).slice(0, 100)} is not a unique field of ${JSON.stringify(endpoint).slice(0, 100)}`);
        }
        return send(res, 200, {}, {});
      }
      case 'faults': {
        const status = body['status'];
        const count = body['count'] ?? 1;
        if (status !== 500 && status !== 503) throw new ControlError('"status" must be 500 or 503');
        if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 1) {
          throw new ControlError('"count" must be a whole number of at least 1');
        }
        state.faults.push({ status, count });
        return send(res, 200, {}, {});
      }
      case 'read-only-tokens':
        state.readOnly.add(fieldOf(body, 'token'));
        return send(res, 200, {}, {});
      case 'throttle': {
        const token = fieldOf(body, 'token');
        if (!state.limiter) throw new ControlError('rate limiting is off in this simulator; there is no quota to spend');
        state.limiter.exhaust(`t:${token}`, Date.now());
        return send(res, 200, {}, {});
      }
      default: {
        // Every route of core/simulator-control.ts is handled above.
        const unhandled: never = name;
        return send(res, 404, {}, { message: `no reserved route ${method} ${unhandled}` });
      }
    }
  } catch (err) {
    if (err instanceof ControlError) return send(res, 400, {}, { message: err.message });
    throw err;
  }
};
