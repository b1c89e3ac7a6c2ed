import dns from 'node:dns';
import { afterEach, describe, expect, it } from 'vitest';
import { classifyTransport, HttpClient, TransportError, type TransportFailure } from '../../core/http.ts';
import { createRunContext } from '../../core/run-context.ts';
import { freePort } from './support.ts';

// How a failed request becomes one actionable line. Name resolution is stubbed, so the
// DNS case never leaves the machine: the stub answers for `localhost`, which without the
// stub would resolve from /etc/hosts to loopback, never to the network.

const clientFor = (url: string) => {
  const ctx = createRunContext({ target: { url, kind: 'loopback' }, token: 'tok-transport-1', outDir: '/tmp', maxRequests: 10 });
  return new HttpClient(ctx, { max503Retries: 0, max429Retries: 0 });
};

const failureOf = async (url: string): Promise<TransportError> => {
  const err = await clientFor(url)
    .send({ path: '/dev-users.create', body: {} })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(TransportError);
  return err as TransportError;
};

const realLookup = dns.lookup;
afterEach(() => {
  dns.lookup = realLookup;
});

describe('a resolver that cannot resolve the host', () => {
  it.each(['ENOTFOUND', 'EAI_AGAIN'])('turns %s from name resolution into "cannot resolve HOST" with advice', async (code) => {
    const port = await freePort();
    const asked: string[] = [];
    dns.lookup = ((host: string, _o: unknown, cb: (err: Error | null) => void) => {
      asked.push(host);
      const err = Object.assign(new Error(`getaddrinfo ${code} ${host}`), { code, hostname: host });
      (typeof _o === 'function' ? (_o as typeof cb) : cb)(err);
    }) as typeof dns.lookup;
    const err = await failureOf(`http://localhost:${port}`);
    expect(asked).toContain('localhost');
    expect(err.failure).toBe('dns');
    expect(err.oneLine()).toBe(`cannot resolve localhost:${port}: check the host name in --target / DEVREV_API_URL`);
  });
});

describe('classifyTransport', () => {
  // The shapes Node's fetch throws: a TypeError whose cause carries the system or OpenSSL code.
  const fetchError = (cause: object) => Object.assign(new TypeError('fetch failed'), { cause });

  it.each<[string, object, TransportFailure]>([
    ['ECONNREFUSED', { code: 'ECONNREFUSED' }, 'refused'],
    ['ENOTFOUND', { code: 'ENOTFOUND' }, 'dns'],
    ['EAI_AGAIN (no resolver reachable)', { code: 'EAI_AGAIN' }, 'dns'],
    ['a self-signed certificate', { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, 'tls'],
    ['a self-signed certificate in the chain', { code: 'SELF_SIGNED_CERT_IN_CHAIN' }, 'tls'],
    ['an expired certificate', { code: 'CERT_HAS_EXPIRED' }, 'tls'],
    ['a certificate for another host', { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }, 'tls'],
    ['an unknown issuer', { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }, 'tls'],
    ['an issuer missing locally', { code: 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY' }, 'tls'],
    ['a CA that is not one', { code: 'INVALID_CA' }, 'tls'],
    ['a host name mismatch', { code: 'HOSTNAME_MISMATCH' }, 'tls'],
    ['TLS spoken to plain HTTP', { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }, 'tls'],
    ['a reset connection', { code: 'ECONNRESET' }, 'reset'],
    ['a socket closed mid-answer', { code: 'UND_ERR_SOCKET' }, 'reset'],
    ['a connect timeout', { code: 'UND_ERR_CONNECT_TIMEOUT' }, 'timeout'],
    ['a port the Fetch standard blocks', new Error('bad port'), 'blocked-port'],
    ['anything else', { code: 'EWHATEVER' }, 'other'],
  ])('classifies %s', (_name, cause, failure) => {
    expect(classifyTransport(fetchError(cause))).toBe(failure);
  });

  it('classifies a timeout signal and an abort', () => {
    expect(classifyTransport(Object.assign(new Error('t'), { name: 'TimeoutError' }))).toBe('timeout');
    expect(classifyTransport(Object.assign(new Error('a'), { name: 'AbortError' }))).toBe('aborted');
  });

  it('never throws on values that are not errors', () => {
    for (const v of [undefined, null, 0, '', 'ECONNREFUSED', [], {}, { cause: null }, { cause: 'x' }])
      expect(classifyTransport(v)).toBe('other');
  });

  it('has advice for every failure class, and each description names the host', () => {
    const all: TransportFailure[] = ['timeout', 'refused', 'reset', 'dns', 'tls', 'blocked-port', 'other'];
    for (const f of all) {
      const e = new TransportError(f, 'https://api.devrev.example:8443/dev-users.create', null);
      expect(e.message).toContain('api.devrev.example:8443');
      expect(e.hint).toMatch(/\S/);
      expect(e.oneLine()).not.toContain('\n');
    }
  });

  it('recognises the real error Node raises for a blocked port, without connecting', async () => {
    const err = await failureOf('http://127.0.0.1:6000');
    expect(err.failure).toBe('blocked-port');
  });
});
