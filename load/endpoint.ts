import type { TSchema } from '@sinclair/typebox';
import { type CaseRequest, runValues } from '../api-model/cases/request-values.ts';
import type { EndpointCase } from '../api-model/cases/templates.ts';
import { type EndpointModel, endpointModel, endpointModels, harmlessRequestEndpoint } from '../api-model/endpoints/index.ts';
import { UsageError } from '../core/errors.ts';

/**
 * Which endpoint the load pillar sends to and what it sends, computed from the endpoint
 * models when asked (a test that adds an endpoint sees it here): the endpoint's own valid
 * create, filled so that no two requests share a unique value, and the request that creates
 * nothing (an endpoint with required fields, sent none).
 */

/** The endpoint load creates with: the one named (`--endpoint`), else the first model endpoint. */
export const loadEndpoint = (name: string | null = null): EndpointModel => {
  if (name === null) {
    const first = endpointModels()[0];
    if (!first) throw new Error('no create endpoint is modelled: load has nothing to send');
    return first;
  }
  const m = endpointModel(name);
  if (!m) throw new UsageError(`--endpoint ${name} is not a create endpoint devrev-gate models`, `one of ${endpointModels().map((e) => e.spec.name).join(', ')}`);
  return m;
};

/** The load endpoints there are, by name (the choices of `--endpoint`). */
export const loadEndpointNames = (): string[] => endpointModels().map((m) => m.spec.name);

const noFixture = (name: string) => (): never => {
  throw new Error(`load's request on ${name} needs no tenant record`);
};

/** A case's request filled with plain run-tagged values; `tag` makes every request's unique values its own. */
const fill = (m: EndpointModel, c: EndpointCase, tag: string): CaseRequest => c.request!(runValues(tag, noFixture(m.spec.name)));

const bodyOf = (r: CaseRequest): Record<string, unknown> | null => ('body' in r && r.auth !== 'none' ? r.body : null);

/**
 * The case load repeats: a valid create (the endpoint's success status) that needs no tenant
 * record and no provider state, sends JSON with the token, and of those the one with the
 * fewest fields. Each request fills it with values tagged by the run and a count of its own,
 * so repeats never share a value of the endpoint's unique fields (checked here on two
 * requests: a case that writes a unique field as a constant cannot be repeated).
 */
export const loadCase = (m: EndpointModel): EndpointCase => {
  const sizeOf = (c: EndpointCase) => Object.keys(bodyOf(fill(m, c, 'x')) ?? {}).length;
  const valid = m.cases.filter(
    (c) => c.status === m.spec.successStatus && c.request && !c.fixtures?.length && !c.state && bodyOf(fill(m, c, 'x')) !== null,
  );
  const chosen = [...valid].sort((a, b) => sizeOf(a) - sizeOf(b))[0];
  if (!chosen) throw new Error(`${m.spec.name} has no valid create that needs no tenant record: load cannot repeat it`);
  const [a, b] = [bodyOf(fill(m, chosen, 'a'))!, bodyOf(fill(m, chosen, 'b'))!];
  for (const f of m.uniqueFields) {
    if (f in a && JSON.stringify(a[f]) === JSON.stringify(b[f])) {
      throw new Error(`${m.spec.name} ${chosen.name} sends ${f} (unique) as a constant: repeated under load it would conflict`);
    }
  }
  return chosen;
};

let sequence = 0;

/**
 * A fresh body of the load case: its values carry the run id and a number no other request
 * of this process got (a run id is unique per run), so unique fields never repeat.
 */
export const loadBodyFor = (m: EndpointModel, c: EndpointCase = loadCase(m)) => (runId: string): Record<string, unknown> =>
  bodyOf(fill(m, c, `${runId}-load-${++sequence}`))!;

/** The schema of the endpoint's success answer (its 201 with the record in its envelope). */
export const successSchema = (m: EndpointModel): TSchema => {
  const s = m.spec.responses[m.spec.successStatus];
  if (!s) throw new Error(`${m.spec.name} documents no ${m.spec.successStatus} body`);
  return s;
};

/** The record a success answer of the endpoint carries in its envelope, with the ids the ledger keeps; null when it carries none. */
export const createdRecordOf = (m: EndpointModel, status: number, body: unknown): { id: string; displayId?: string } | null => {
  if (status !== m.spec.successStatus || typeof body !== 'object' || body === null) return null;
  const record = (body as Record<string, unknown>)[m.spec.envelope] as { id?: unknown; display_id?: unknown } | undefined;
  if (typeof record?.id !== 'string') return null;
  return { id: record.id, ...(typeof record.display_id === 'string' ? { displayId: record.display_id } : {}) };
};

/**
 * The request that creates nothing: an endpoint with required fields, sent none, which the
 * docs answer with a 400. Null when that endpoint documents no 400 (then nothing says the
 * limiter let it through).
 */
export const nonCreating = (): { model: EndpointModel; status: number; label: string } | null => {
  const model = harmlessRequestEndpoint();
  const status = 400;
  if (!Object.hasOwn(model.spec.responses, status)) return null;
  return { model, status, label: `${model.spec.name} without its required fields` };
};
