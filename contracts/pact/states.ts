import type { FixtureName } from '../../api-model/cases/catalogue.ts';
import { SIMULATOR_STAND_INS } from '../../api-model/cases/stand-ins.ts';
import { SimulatorControl } from '../../core/simulator-control.ts';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import type { Fixtures } from '../../core/run-context.ts';
import { allowTypeScriptImport } from '../../core/typescript-imports.ts';
import { USER_CONFIG_FILES } from '../../core/user-repo.ts';

/**
 * Every provider state the contracts use, named once and parameterised (the pact-js
 * style). A state's name is a sentence; its parameters travel in the pact file, and what
 * its setup returns is injected into the request by `fromProviderState` (run-unique values,
 * tenant fixture ids), so the contract stays the same from run to run while the values
 * sent differ.
 */
export const STATES = {
  /** params {field, interaction}: returns {[field]: value} unique to this run (an external ref, an e-mail). */
  runUnique: 'a run-unique value is free',
  /** returns the ids that exist in the tenant, under FIXTURE_STATE_KEYS (each fixture's name in snake case). */
  tenantFixtures: 'the tenant has a rev org, an account, a tag, an artifact and a dev user',
  /** returns {custom_field_value}; the tenant's schema defines the tenant fragment field. */
  customField: 'the tenant schema defines the custom field',
  /**
   * params {endpoint, field, interaction}: returns {[field]: value}, a value of the
   * endpoint's own unique field (its model's `uniqueFields`) that a record already holds.
   */
  uniqueTaken: "the endpoint's own unique field value is taken",
  /** The token the request carries belongs to a user who may not create users. */
  readOnly: 'the caller is read-only',
  /** The caller has spent its quota: the next request is throttled. */
  throttled: 'the caller is throttled',
  /** params {status}: the next request fails with that server error. */
  serverFault: 'the next request fails with a server error',
} as const;

export type StateName = (typeof STATES)[keyof typeof STATES];
export const STATE_NAMES: readonly StateName[] = Object.values(STATES);

/** The custom field every full create carries, in the tenant fragment (`tnt__` prefix). */
export const CUSTOM_FIELD = 'tnt__devrev_gate_plan';

/** What a state setup achieved: values for `fromProviderState`, and the token to send. */
export interface StateOutcome {
  values?: Record<string, string | number | boolean>;
  /** Send this token instead of the run's one (read-only or throttled users). */
  token?: string;
  /** Headers for the next request, e.g. a mock's `Prefer: code=429`. */
  headers?: Record<string, string>;
}

export interface StateContext {
  runId: string;
  token: string | undefined;
  fixtures: Fixtures;
}

/**
 * A way to put a provider into a state. `setup` returns null when this provider cannot
 * be put in that state: the interaction is then reported as skipped, by name.
 */
export interface StateSetter {
  readonly name: string;
  setup(state: string, params: Record<string, unknown>, ctx: StateContext): Promise<StateOutcome | null>;
  /**
   * False when it is known up front that a state cannot be set, so the interaction is
   * skipped without a setup call (the verifier retries a failed one for about a second).
   */
  canSet?(state: string, ctx: StateContext): boolean;
}

/** The values of states that need nothing of the provider but a fresh name. */
export const runUniqueValue = (field: string, runId: string, interaction: string): string => {
  const slug = interaction.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40);
  return field === 'email' ? `devrev-gate+${runId}-${slug}@example.org` : `devrev-gate-${runId}-${slug}`;
};
/** The states a tenant's config file can satisfy (fixtures): without them a check is a gap the user can close. */
export const FIXTURE_STATES: ReadonlySet<string> = new Set([STATES.tenantFixtures, STATES.customField]);



/** The tenant records the fixture state returns, each under the key its value travels by. */
export type IdFixture = Exclude<FixtureName, 'tenantCustomFields'>;
const ID_FIXTURES = (Object.keys(SIMULATOR_STAND_INS) as FixtureName[]).filter((n): n is IdFixture => n !== 'tenantCustomFields');
/** A fixture's key in the state's values is its name in snake case, as DevRev's fields are (`revOrg` → `rev_org`). */
export const FIXTURE_STATE_KEYS = Object.fromEntries(ID_FIXTURES.map((n) => [n, n.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)])) as Readonly<
  Record<IdFixture, string>
>;

/** The fixture state's values from the tenant's fixtures, or null when one is missing. */
const fixtureValues = (f: Partial<Record<IdFixture, string>>): Record<string, string> | null =>
  ID_FIXTURES.every((n) => typeof f[n] === 'string')
    ? Object.fromEntries(ID_FIXTURES.map((n) => [FIXTURE_STATE_KEYS[n], f[n] as string]))
    : null;

/** The stand-ins under the names the interactions read them by. */
const SIMULATOR_FIXTURES = fixtureValues(SIMULATOR_STAND_INS)!;

/** The embedded simulator (or any provider with its /__simulator/* setup routes). */
export const simulatorStates = (baseUrl: string): StateSetter => {
  const control = new SimulatorControl(baseUrl);
  return {
  name: 'simulator setup routes (/__simulator/*)',
  async setup(state, params, ctx): Promise<StateOutcome | null> {
    const interaction = String(params['interaction'] ?? state);
    switch (state) {
      case STATES.runUnique: {
        const field = String(params['field']);
        return { values: { [field]: runUniqueValue(field, ctx.runId, interaction) } };
      }
      case STATES.tenantFixtures:
        return { values: { ...SIMULATOR_FIXTURES } };
      case STATES.customField:
        return { values: { custom_field_value: 'gold' } };
      case STATES.uniqueTaken: {
        const endpoint = String(params['endpoint']);
        const field = String(params['field']);
        const value = runUniqueValue(field, ctx.runId, `taken ${interaction}`);
        return (await control.post('taken', { endpoint, field, value })) ? { values: { [field]: value } } : null;
      }
      case STATES.readOnly: {
        const token = `${ctx.token ?? 'devrev-gate'}~read-only`;
        return (await control.post('read-only-tokens', { token })) ? { token } : null;
      }
      case STATES.throttled: {
        // A user of its own, so throttling it leaves the run's other requests alone.
        const token = `${ctx.token ?? 'devrev-gate'}~throttled-${Date.now().toString(36)}`;
        return (await control.post('throttle', { token })) ? { token } : null;
      }
      case STATES.serverFault: {
        const status = Number(params['status']);
        if (status !== 500 && status !== 503) return null;
        return (await control.post('faults', { status, count: 1 })) ? {} : null;
      }
      default:
        return null;
    }
  },
  };
};

/**
 * A real tenant without any setup hook: fresh names need nothing, the fixture states come
 * from the config file's fixtures, and the states that need the provider's cooperation
 * (a read-only user, throttling, a server fault, a taken unique value) cannot be set.
 */
export const fixtureStates = (): StateSetter => ({
  // The file init writes, as drift and properties name it (not the older .json spelling).
  name: `fixtures from ${USER_CONFIG_FILES[0]}`,
  canSet(state, { fixtures: f }) {
    if (state === STATES.runUnique) return true;
    if (state === STATES.tenantFixtures) return fixtureValues(f) !== null;
    if (state === STATES.customField) return typeof f.tenantCustomFields?.[CUSTOM_FIELD] === 'string';
    return false;
  },
  async setup(state, params, ctx): Promise<StateOutcome | null> {
    const interaction = String(params['interaction'] ?? state);
    const f = ctx.fixtures;
    switch (state) {
      case STATES.runUnique: {
        const field = String(params['field']);
        return { values: { [field]: runUniqueValue(field, ctx.runId, interaction) } };
      }
      case STATES.tenantFixtures: {
        const values = fixtureValues(f);
        return values ? { values } : null;
      }
      case STATES.customField: {
        const value = f.tenantCustomFields?.[CUSTOM_FIELD];
        return typeof value === 'string' ? { values: { custom_field_value: value } } : null;
      }
      default:
        return null;
    }
  },
});

/**
 * A provider's own state-change endpoint, as Pact defines it: POST {state, params, action}
 * and answer 2xx with the values as a JSON object (optionally `token`), or 4xx/5xx when
 * it cannot set the state. Run-unique values fall back to the built-in names.
 */
export const stateChangeUrlStates = (url: string): StateSetter => ({
  name: `state-change URL ${url}`,
  async setup(state, params, ctx): Promise<StateOutcome | null> {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ state, params, action: 'setup' }),
        signal: AbortSignal.timeout(10_000),
      });
    } catch {
      return null;
    }
    if (!res.ok) return null;
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    const { token, headers, ...values } = body;
    const outcome: StateOutcome = { values: values as StateOutcome['values'] };
    if (typeof token === 'string') outcome.token = token;
    if (headers && typeof headers === 'object' && Object.values(headers).every((v) => typeof v === 'string')) {
      outcome.headers = headers as Record<string, string>;
    }
    if (state === STATES.runUnique && Object.keys(values).length === 0) {
      const field = String(params['field']);
      outcome.values = { [field]: runUniqueValue(field, ctx.runId, String(params['interaction'] ?? state)) };
    }
    return outcome;
  },
});

/**
 * A user-provided states module: its default export (or `states`) maps state names to
 * `async (params, ctx) => StateOutcome | null`. A state it does not name is not settable.
 */
export type StatesModule = Partial<Record<string, (params: Record<string, unknown>, ctx: StateContext) => Promise<StateOutcome | null> | StateOutcome | null>>;

export const loadStatesModule = async (file: string): Promise<StateSetter> => {
  await allowTypeScriptImport(file);
  const mod = (await import(pathToFileURL(resolve(file)).href)) as { default?: StatesModule; states?: StatesModule };
  const handlers = mod.default ?? mod.states;
  if (!handlers || typeof handlers !== 'object') throw new Error(`${file} exports no states (default export or \`states\`)`);
  const fallback = fixtureStates();
  return {
    name: `states module ${file}`,
    canSet: (state) => Boolean(handlers[state]) || state === STATES.runUnique,
    async setup(state, params, ctx): Promise<StateOutcome | null> {
      const handler = handlers[state];
      if (handler) return (await handler(params, ctx)) ?? null;
      return state === STATES.runUnique ? fallback.setup(state, params, ctx) : null;
    },
  };
};
