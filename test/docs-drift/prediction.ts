import type { Finding, Impact, PillarResult } from '../../core/results.ts';
import type { SpecChange } from '../../docs-drift/diff.ts';
import type { PactInteraction, PactView } from '../../docs-drift/pact-view.ts';

/**
 * Predicted vs observed (#24 item 3), as comparable items: `dev-users.create: endpoint
 * answers 404`, `rev-users.create: expecting 201 answers 400`, `rev-users.create: response
 * 201 /rev_user/external_refs missing`.
 *
 * WHAT A CLIENT WILL NOTICE (the one rule both sides follow): a call of our pact gets an
 * answer other than the one it expects, either another status or a response field it reads
 * missing. Reason: the pact is the client's own statement of what it relies on; an answer
 * that still satisfies every call is, for that client, no change at all.
 *  - Predicted: the `spec diff --from pinned --to VERSION` changes whose impact is "breaks
 *    our contract", turned into what each touched interaction will then get.
 *  - Observed: the error findings of `contracts` (the pact verified against the simulator
 *    serving VERSION) and of `drift` that concern what a pact call expects: a status, or a
 *    field a pact call reads at that status. Drift also judges answers by the pin wherever
 *    no pact call looks (a required field of the pin no call reads); a client does not
 *    notice those, so they are not items (`unread`; PREDICTION_SHOW=1 prints them).
 *    Warnings and info are no items on either side: they fail no gate by default.
 *  - A change that only permits another answer (a field may be absent or null) is no item
 *    either: the served version still sends the value (`permitted`, PERMISSIONS below).
 */

export interface Items {
  items: Set<string>;
  /** Each item with where it came from, for the test's message when the sides differ. */
  why: Map<string, string[]>;
}

const add = (out: Items, item: string, why: string) => {
  out.items.add(item);
  out.why.set(item, [...(out.why.get(item) ?? []), why]);
};

const empty = (): Items => ({ items: new Set(), why: new Map() });

/**
 * Which answers a change can alter, by what DevRev decides them on:
 *  - a 5xx is the server failing, whatever the call sent;
 *  - a 429 is per authenticated user (the rate-limits page): a token the new scheme does not
 *    read makes the caller no user, so it is refused (401), not throttled; a body it refuses
 *    changes nothing, the quota is spent before the body is read;
 *  - 201 and 409 are judged on a request that passed validation (a conflict is one valid
 *    request colliding with a record): a body the version refuses gets 400 instead; a call
 *    already expecting 400, 401 or 403 was refused anyway.
 */
const alteredByScheme = (status: number | null) => status !== null && status !== 401 && status < 500;
const alteredByRefusal = (status: number | null) => status !== null && (status < 300 || status === 409);

/** Request rules a version can refuse a call by (DevRev's answer: 400). */
const REFUSED_REQUEST = new Set([
  'request-body-became-required',
  'request-property-added-required',
  'request-property-became-required',
  'request-enum-value-removed',
  'request-discriminator-mapping-removed',
  'request-property-type-narrowed',
  'request-parameter-added-required',
  'request-parameter-became-required',
  'request-media-type-removed',
]);

/** The place of a shared component's change that this call reads (`/rev_user/id`, not `/dev_user/id`). */
const placeOf = (c: SpecChange, i: PactInteraction): string | null => {
  const read = new Set(i.reads.map((r) => `/${r.path.join('/')}`));
  const at = c.places.flatMap((p) => {
    const m = /^response (\S+)(?: (\/.*))?$/.exec(p);
    return m?.[2] && (m[1] === String(i.status) || m[1] === 'default') ? [m[2]] : [];
  });
  return at.find((p) => [...read].some((r) => r === p || r.startsWith(`${p}/`))) ?? at[0] ?? null;
};

/** A field a pact call reads is gone, or holds something else: what the two sides call it. */
const MISSING = new Set(['response-property-removed', 'pact-body-missing-field', 'response-required-property-missing']);
const fieldItem = (endpoint: string, status: number | null, pointer: string, ruleId: string) => `${endpoint}: response ${status} ${pointer} ${MISSING.has(ruleId) ? 'missing' : 'changed'}`;

/**
 * Changes that only permit another answer (a field may now be absent or null). A server that
 * still sends the value, as the simulator serving the version does (it builds every field it
 * knows), gives the client nothing to notice: spec diff is right to call them breaking, but
 * no served answer shows it. They are kept apart (`permitted`), never compared.
 */
const PERMISSIONS = new Set(['response-property-became-optional', 'response-property-became-nullable', 'response-header-became-optional']);

/** What spec diff predicts a pact client notices, from each change's impact on `pact`. */
export const predictedItems = (changes: readonly SpecChange[], impacts: ReadonlyMap<SpecChange, Impact>, pact: PactView): Items & { permitted: Items } => {
  const out = { ...empty(), permitted: empty() };
  const byDescription = new Map(pact.interactions.map((i) => [i.description, i]));
  for (const c of changes) {
    const impact = impacts.get(c);
    if (impact?.group !== 'breaks-our-contract') continue;
    for (const touch of impact.pacts.flatMap((p) => p.touches)) {
      const i = byDescription.get(touch.interaction);
      if (!i) continue;
      const why = `${c.ruleId} (${c.places[0]}): "${i.description}" ${touch.how}`;
      if (PERMISSIONS.has(c.ruleId)) add(out.permitted, `${i.endpoint}: response ${i.status} ${placeOf(c, i) ?? c.places[0]} ${c.ruleId}`, why);
      else if (c.ruleId === 'endpoint-removed') add(out, `${i.endpoint}: endpoint answers 404`, why);
      else if (c.ruleId.startsWith('security-')) {
        if (alteredByScheme(i.status)) add(out, `${i.endpoint}: expecting ${i.status} answers 401`, why);
      } else if (REFUSED_REQUEST.has(c.ruleId)) {
        if (alteredByRefusal(i.status)) add(out, `${i.endpoint}: expecting ${i.status} answers 400`, why);
      } else if (c.ruleId === 'response-status-removed') {
        add(out, `${i.endpoint}: expecting ${i.status} answers another status`, why);
      } else {
        const at = placeOf(c, i);
        // A change no case above turns into an answer still shows, as itself.
        add(out, at === null ? `${i.endpoint}: ${c.ruleId} at ${c.places.join(', ')}` : fieldItem(i.endpoint, i.status, at, c.ruleId), why);
      }
    }
  }
  return out;
};

const isStatusFinding = (f: Finding) => f.ruleId === 'pact-status' || f.ruleId === 'response-status-undocumented' || f.ruleId === 'response-status-changed';

/** A pointer read by some pact call at that endpoint and status (array items as `*`). */
const readByPact = (pact: PactView, endpoint: string, status: number | null, pointer: string) => {
  const tokens = pointer.slice(1).split('/').map((t) => (/^\d+$/.test(t) ? '*' : t));
  return pact.interactions.some((i) => i.endpoint === endpoint && i.status === status && i.reads.some((r) => r.path.join('/') === tokens.join('/')));
};

const statusItem = (endpoint: string, expected: unknown, actual: unknown) =>
  Number(actual) === 404 ? `${endpoint}: endpoint answers 404` : `${endpoint}: expecting ${String(expected)} answers ${String(actual)}`;

// contracts' root cause when every call with a token got 401: one finding for the target,
// and each call it spoiled inconclusive, naming it (contracts/pact/index.ts).
const ALL_401 = /^not judged: every request with a token got 401/;

/** What drift and contracts against the served version report that a pact client notices. */
export const observedItems = (pillars: readonly PillarResult[], pact: PactView): { noticed: Items; unread: Finding[] } => {
  const noticed = empty();
  const unread: Finding[] = [];
  const findings = pillars.flatMap((p) => p.checks.flatMap((c) => c.findings));
  for (const c of pillars.flatMap((p) => p.checks)) {
    const i = pact.interactions.find((x) => x.description === c.name);
    if (c.pillar === 'contracts' && c.outcome === 'inconclusive' && i && ALL_401.test(c.reason ?? '')) add(noticed, statusItem(i.endpoint, i.status, 401), `contracts ${c.name}: ${c.reason}`);
  }
  const expectedStatuses = new Map<string, Set<number | null>>();
  for (const i of pact.interactions) expectedStatuses.set(i.endpoint, new Set([...(expectedStatuses.get(i.endpoint) ?? []), i.status]));
  for (const f of findings) {
    if (f.severity !== 'error' || f.ignored) continue;
    const why = `${f.pillar} ${f.caseId ?? f.checkId}: ${f.ruleId} ${f.pointer} expected ${JSON.stringify(f.expected)} actual ${JSON.stringify(f.actual)}`;
    if (isStatusFinding(f)) {
      // Drift sends cases the pact has no call for: only statuses some pact call expects count.
      if (expectedStatuses.get(f.endpoint)?.has(Number(f.expected))) add(noticed, statusItem(f.endpoint, f.expected, f.actual), why);
      else unread.push(f);
      continue;
    }
    const pointer = f.pointer.replace(/^\/body(?=\/)/, '');
    if (f.pillar === 'contracts' || readByPact({ file: '', interactions: [...pact.interactions] }, f.endpoint, f.status, pointer)) {
      add(noticed, fieldItem(f.endpoint, f.status, pointer.replace(/\/\d+(?=\/|$)/g, '/*'), f.ruleId), why);
    } else unread.push(f);
  }
  return { noticed, unread };
};

/** The two sides side by side, for an assertion message a reader can act on. */
export const shownSides = (predicted: Items, observed: Items): string => {
  const all = [...new Set([...predicted.items, ...observed.items])].sort();
  return all
    .map((item) => {
      const mark = predicted.items.has(item) && observed.items.has(item) ? 'both     ' : predicted.items.has(item) ? 'PREDICTED' : 'OBSERVED ';
      const why = [...(predicted.why.get(item) ?? []).map((w) => `spec diff: ${w}`), ...(observed.why.get(item) ?? [])];
      return `${mark} ${item}\n${why.map((w) => `            ${w}`).join('\n')}`;
    })
    .join('\n');
};
