import { type CaseRequest, runValues } from '../api-model/cases/request-values.ts';
import { type EndpointModel, endpointModels, harmlessRequestEndpoint } from '../api-model/endpoints/index.ts';
import type { EndpointSpec } from '../api-model/shapes/endpoints.ts';
import { RouteNotFound } from '../api-model/shapes/errors.ts';
import { validate } from '../api-model/shapes/validate.ts';
import { SetupError } from '../core/errors.ts';
import { HttpClient, type HttpResponse, TransportError } from '../core/http.ts';
import type { RunContext } from '../core/run-context.ts';

/**
 * One harmless request before any pillar runs against a target that is not the embedded
 * simulator: a create without its required fields (the model's harmlessRequestEndpoint),
 * which the docs answer with a 400 and which creates nothing (a second attempt only after a 429 or 503). It turns the
 * usual set-up mistakes into one line and exit 2 instead of a page of failed checks: nothing
 * listening, a DNS or TLS failure, a rejected token, or a URL where DevRev's endpoint is not.
 *
 * "The endpoint is there" is read from what DevRev documents, not from any server's quirks:
 * an answer with a status the endpoint documents, as a JSON object. The create endpoints
 * document no 404 (a 404 is the errors page's route-not-found), and no 3xx or HTML answer.
 * At most two requests: the second only when the first got an answer DevRev does not document.
 */
const ATTEMPTS = { max429Retries: 1, max503Retries: 1 } as const;

const excerpt = (text: string): string => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 80)}…` : flat;
};

/** What the answer was, in a few words: status, content type, and the body or redirect. */
const described = (res: HttpResponse, redact: (s: string) => string): string => {
  const type = (res.headers['content-type'] ?? '').split(';')[0]!.trim() || 'no content type';
  if (res.status >= 300 && res.status < 400)
    return `HTTP ${res.status}, a redirect to ${res.headers['location'] ? redact(res.headers['location']) : 'nowhere'}`;
  if (validate(RouteNotFound, res.json).valid) return `HTTP ${res.status} ${type}, DevRev's route-not-found answer`;
  return `HTTP ${res.status} ${type}${res.text ? ` ${JSON.stringify(redact(excerpt(res.text)))}` : ', empty'}`;
};

/**
 * A request to another endpoint that cannot create anything: one of its cases the document
 * refuses (a 400 of `spec` basis, no tenant record needed), sent without the token (a 401
 * by the docs). Null when the model has no other endpoint or no such case.
 */
export const secondOpinion = (runId: string, harmless: EndpointModel = harmlessRequestEndpoint()): { endpoint: EndpointModel; body: Record<string, unknown> } | null => {
  const noFixture = (): never => {
    throw new Error('the preflight sends no tenant record');
  };
  for (const m of endpointModels()) {
    if (m === harmless) continue;
    for (const c of m.cases) {
      if (c.status !== 400 || c.basis !== 'spec' || !c.request || c.fixtures?.length || c.state) continue;
      const r: CaseRequest = c.request(runValues(runId, noFixture));
      if ('body' in r) return { endpoint: m, body: r.body };
    }
  }
  return null;
};

export const preflight = async (ctx: RunContext): Promise<void> => {
  const http = new HttpClient(ctx, ATTEMPTS);
  const harmless = harmlessRequestEndpoint();
  let res: HttpResponse;
  try {
    res = await http.send({ path: harmless.spec.path, body: {} });
  } catch (e) {
    // On loopback a connection is accepted at once, so silence means the process serving
    // it is not running its event loop: most often the very process that started this
    // command and waits for it synchronously (execFileSync, spawnSync) while serving.
    if (e instanceof TransportError && e.failure === 'timeout' && ctx.target.kind === 'loopback')
      throw new SetupError(
        `${e.message} (the loopback connection was accepted, but nothing answered the first request)`,
        'is the process serving it blocked? A provider served from the process that starts devrev-gate must start it asynchronously (execFile or spawn, not execFileSync or spawnSync)',
        { cause: e },
      );
    throw e;
  }
  if (res.status === 401) {
    throw new SetupError(`${ctx.target.url} rejected the token (401 on the first request)`, 'check --token / DEVREV_TOKEN');
  }
  const first = wrongAnswer(res, harmless.spec);
  if (!first) return;
  // The one endpoint may be all that is missing (a provider that lost it: the pillars report
  // that). Another create that cannot create anything (no token, a body the document
  // refuses: 401 or 400 by the docs) tells the API from a wrong base URL.
  const second = secondOpinion(ctx.runId, harmless);
  const other = second
    ? await http.send({ path: second.endpoint.spec.path, body: second.body, auth: 'none', retry429: false, retry503: false }).catch(() => null)
    : null;
  if (second && other && !wrongAnswer(other, second.endpoint.spec)) return;
  const url = `${ctx.target.url}${harmless.spec.path}`;
  throw new SetupError(
    `${ctx.target.url} is not the DevRev API: POST ${url} answered ${described(res, (s) => ctx.redactor.text(s))}, where ${first}`,
    'check --target / DEVREV_API_URL is the API base URL with no path after it, e.g. https://api.devrev.ai',
  );
};

/** Why an answer is not one DevRev documents for the endpoint, or null when it is. */
const wrongAnswer = (res: HttpResponse, endpoint: EndpointSpec): string | null => {
  if (!Object.hasOwn(endpoint.responses, res.status)) return `DevRev documents ${Object.keys(endpoint.responses).join(', ')} for it`;
  const isObject = res.json !== null && typeof res.json === 'object' && !Array.isArray(res.json);
  const json = /^application\/([\w.+-]+\+)?json\b/i.test(res.headers['content-type'] ?? '');
  return isObject && json ? null : 'DevRev answers it with a JSON object';
};
