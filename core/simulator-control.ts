/**
 * The embedded simulator's setup routes, typed once: their names and bodies, the path they
 * live at, and the one client every caller (drift's setup steps, Pact's provider states,
 * self-tests) reaches them through. The simulator's handler takes its route names from
 * here too, so a route renamed on one side is a compile error on the other.
 */
export const CONTROL_PREFIX = '/__simulator/';

export interface ControlRoutes {
  reset: Record<string, never>;
  /** A value of the endpoint's own unique field, marked taken. */
  taken: { endpoint: string; field: string; value: string };
  faults: { status: 500 | 503; count?: number };
  'read-only-tokens': { token: string };
  throttle: { token: string };
}

export type ControlRoute = keyof ControlRoutes;

export const CONTROL_ROUTES = ['reset', 'taken', 'faults', 'read-only-tokens', 'throttle'] as const satisfies readonly ControlRoute[];

export const isControlRoute = (name: string): name is ControlRoute => (CONTROL_ROUTES as readonly string[]).includes(name);

export const controlPath = (route: ControlRoute | 'users'): string => `${CONTROL_PREFIX}${route}`;

/** One setup call: a route and the body it takes. */
export type ControlCall = { [R in ControlRoute]: { route: R; body: ControlRoutes[R] } }[ControlRoute];

export const controlCall = <R extends ControlRoute>(route: R, body: ControlRoutes[R]) => ({ route, body }) as ControlCall;

/** A client of the setup routes of the simulator at `baseUrl`. */
export class SimulatorControl {
  constructor(private readonly baseUrl: string) {}

  /** True when the simulator took the call (2xx). */
  async post<R extends ControlRoute>(route: R, body: ControlRoutes[R]): Promise<boolean> {
    const res = await fetch(`${this.baseUrl}${controlPath(route)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(5_000),
    });
    await res.body?.cancel();
    return res.ok;
  }
}
