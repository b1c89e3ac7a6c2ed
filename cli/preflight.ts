import { DEV_USERS_CREATE } from '../api-model/shapes/endpoints.ts';
import { SetupError } from '../core/errors.ts';
import { HttpClient, type HttpResponse, TransportError } from '../core/http.ts';
import type { RunContext } from '../core/run-context.ts';

/**
 * One harmless request before any pillar runs against a target that is not the embedded
 * simulator: a dev-users.create without its required fields, which the docs answer with a
 * 400 and which creates nothing. It turns the usual set-up mistakes into one line and
 * exit 2 instead of a page of failed checks: nothing listening, a DNS or TLS failure, a
 * rejected token, or a URL that is not the DevRev API at all.
 */
export const preflight = async (ctx: RunContext): Promise<void> => {
  const http = new HttpClient(ctx, { max429Retries: 1, max503Retries: 1 });
  let res: HttpResponse;
  try {
    res = await http.send({ path: DEV_USERS_CREATE.path, body: {} });
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
  const type = res.headers['content-type'] ?? '';
  const isObject = res.json !== null && typeof res.json === 'object' && !Array.isArray(res.json);
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type) || !isObject) {
    throw new SetupError(
      `${ctx.target.url} does not answer like the DevRev API (HTTP ${res.status}, ${type || 'no content type'}, ${isObject ? 'JSON' : 'not a JSON object'})`,
      'check --target is the API base URL, e.g. https://api.devrev.ai',
    );
  }
};
