import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  type BrokerConfig,
  brokerFromEnv,
  canIDeployCommand,
  classifyCanIDeploy,
  commandLine,
  probeBroker,
  publishCommand,
  runBroker,
} from '../../contracts/pact/broker.ts';
import { pactPathToPointer } from '../../contracts/pact/mismatch.ts';
import { SetupError } from '../../core/errors.ts';

const broker = (baseUrl: string): BrokerConfig => ({ baseUrl, token: 'broker-secret', consumerVersion: 'abc123', providerVersion: 'p1' });

/** A loopback port that nothing listens on. */
const deadPort = async () => {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
};

describe('Pact Broker commands', () => {
  it('builds the exact publish and can-i-deploy command lines, with the token only in the environment', () => {
    const b = broker('https://broker.example');
    expect(commandLine(publishCommand(b, 'pacts/x.json', 'pact-broker'))).toBe(
      'pact-broker publish pacts/x.json --broker-base-url https://broker.example --consumer-app-version abc123 --retries 0',
    );
    const can = canIDeployCommand(b, 'pact-broker');
    expect(commandLine(can)).toBe(
      'pact-broker can-i-deploy --pacticipant devrev-sdk-integrator --version abc123 --pacticipant devrev-api --version p1 --broker-base-url https://broker.example --output json --retries 0',
    );
    expect(can.args.join(' ')).not.toContain('broker-secret');
    expect(can.env['PACT_BROKER_TOKEN']).toBe('broker-secret');
  });

  it('reads the broker settings from the environment and refuses a URL without credentials', () => {
    expect(brokerFromEnv({}, { consumerVersion: 'c', providerVersion: 'p' })).toBeNull();
    expect(() => brokerFromEnv({ PACT_BROKER_BASE_URL: 'http://b' }, { consumerVersion: 'c', providerVersion: 'p' })).toThrow(SetupError);
    expect(brokerFromEnv({ PACT_BROKER_BASE_URL: 'http://b/', PACT_BROKER_USERNAME: 'u', PACT_BROKER_PASSWORD: 'p' }, { consumerVersion: 'c', providerVersion: 'p' })?.baseUrl).toBe('http://b');
  });

  it('tells an unreachable broker (one-line setup error) apart from a refusal', async () => {
    const b = broker(`http://127.0.0.1:${await deadPort()}`);
    const err = await probeBroker(b, 2_000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SetupError);
    expect((err as SetupError).oneLine()).toMatch(/^Pact Broker http:\/\/127\.0\.0\.1:\d+ cannot be reached \(ECONNREFUSED\)/);
    // The real binary against the dead port: no broker answer, so "unreachable", not "refused".
    expect(classifyCanIDeploy(await runBroker(canIDeployCommand(b))).verdict).toBe('unreachable');
  });

  it('reads a refusal and an approval from a broker answer', async () => {
    let deployable = false;
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/hal+json' });
      res.end(JSON.stringify({ summary: { deployable, reason: deployable ? 'All verified' : 'No verification' }, matrix: [] }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const b = broker(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    try {
      expect(classifyCanIDeploy(await runBroker(canIDeployCommand(b)))).toEqual({ verdict: 'refused', reason: 'No verification' });
      deployable = true;
      expect(classifyCanIDeploy(await runBroker(canIDeployCommand(b))).verdict).toBe('deployable');
    } finally {
      server.close();
    }
  });
});

describe('Pact paths as JSON pointers', () => {
  it('converts dotted, indexed and quoted segments, escaping per RFC 6901', () => {
    expect(pactPathToPointer('$')).toBe('');
    expect(pactPathToPointer('$.rev_user.id')).toBe('/rev_user/id');
    expect(pactPathToPointer('$.rev_user.tags[0].tag.id')).toBe('/rev_user/tags/0/tag/id');
    expect(pactPathToPointer("$['a/b']['c~d']")).toBe('/a~1b/c~0d');
  });
});
