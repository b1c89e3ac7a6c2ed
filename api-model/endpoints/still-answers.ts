import { type HttpClient, TransportError } from '../../core/http.ts';
import { harmlessRequestEndpoint } from './index.ts';

/**
 * After a request got no answer: does the target still answer a harmless request (the
 * preflight's create without its required fields, which creates nothing)? False only when
 * that request gets no answer either: the target is down, not the one input it choked on.
 */
export const stillAnswers = async (client: HttpClient, pauseMs = 250): Promise<boolean> => {
  if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
  try {
    await client.send({ path: harmlessRequestEndpoint().spec.path, body: {}, timeoutMs: 5_000, retry429: false, retry503: false });
    return true;
  } catch (err) {
    // A spent budget or an interrupt says nothing about the target.
    return !(err instanceof TransportError) || err.failure === 'aborted';
  }
};
