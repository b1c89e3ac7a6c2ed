import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogueCases } from '../../api-model/cases/catalogue.ts';
import { addEndpointForTest, type EndpointModel, endpointModel } from '../../api-model/endpoints/index.ts';
import { documentedStatuses } from '../../api-model/shapes/endpoints.ts';
import { clearPacts, PACT_FILE, runConsumerInteraction } from '../../contracts/pact/consumer.ts';
import { coveredStatuses, interactions } from '../../contracts/pact/interactions.ts';

/**
 * A third endpoint the SDK has no method for, registered for this test only: the dev-user
 * model under another name and path. Pact's interactions are computed at call time, so it
 * gets its interactions, and its SDK call falls back to a POST through the SDK's own client.
 */
const NAME = 'synthetic-widgets.create';
const base = endpointModel('dev-users.create')!;
const SYNTHETIC: EndpointModel = { ...base, classPrefix: 'synthetic', spec: { ...base.spec, name: NAME, path: `/${NAME}` } };

const dir = mkdtempSync(join(tmpdir(), 'dg-pacts-synthetic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `body` with the synthetic endpoint registered. */
const withSynthetic = async <T>(body: () => T | Promise<T>): Promise<T> => {
  const remove = addEndpointForTest(SYNTHETIC);
  try {
    return await body();
  } finally {
    remove();
  }
};

describe('a synthetic endpoint added in a test', () => {
  it('gets an interaction for each of its cases the SDK can send, covering every documented status', async () => {
    expect(interactions().filter((i) => i.endpoint.name === NAME)).toEqual([]);
    await withSynthetic(() => {
      const mine = interactions().filter((i) => i.endpoint.name === NAME);
      const sendable = catalogueCases().filter((c) => c.endpoint === NAME && c.request && c.violates !== 'wrong-json-type' && !('raw' in c.request(STUB)));
      expect(mine.map((i) => i.caseName).sort()).toEqual(sendable.map((c) => c.name).sort());
      expect(coveredStatuses(SYNTHETIC.spec)).toEqual(documentedStatuses(SYNTHETIC.spec));
      for (const i of mine) expect(i.description.startsWith(`${NAME} ${i.status} `), i.description).toBe(true);
    });
    expect(interactions().filter((i) => i.endpoint.name === NAME)).toEqual([]);
  });

  it('runs its interactions through the SDK\'s own client and writes them into the pact', async () => {
    await withSynthetic(async () => {
      clearPacts(dir);
      const mine = interactions().filter((i) => i.endpoint.name === NAME);
      for (const i of mine) expect((await runConsumerInteraction(i, dir)).status, i.description).toBe(i.status);
      const pact = JSON.parse(readFileSync(join(dir, PACT_FILE), 'utf8')) as { interactions: Array<{ description: string; request: { path: string } }> };
      expect(pact.interactions.map((x) => x.description).sort()).toEqual(mine.map((i) => i.description).sort());
      for (const x of pact.interactions) expect(x.request.path).toBe(`/${NAME}`);
    });
  }, 60_000);
});

/** Plain values, only to tell raw requests from JSON ones. */
const STUB = { tagged: () => 'x', fixture: () => 'x', text: () => 'x' };
