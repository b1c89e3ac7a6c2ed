import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MatchersV3 } from '@pact-foundation/pact';
import { PACT_FILE, runConsumerInteraction, clearPacts } from '../../contracts/pact/consumer.ts';
import { coveredStatuses, interactions } from '../../contracts/pact/interactions.ts';
import { endpointModels } from '../../api-model/endpoints/index.ts';
import { checkRequest, isValidRequest } from '../../api-model/prose-rules/index.ts';
import { documentedStatuses } from '../../api-model/shapes/endpoints.ts';

/** Drops what changes with the pact-ffi build, not with the contract. */
const normalise = (file: string) => {
  const pact = JSON.parse(readFileSync(file, 'utf8')) as { metadata: Record<string, unknown> };
  delete pact.metadata['pactRust'];
  delete pact.metadata['pact-js'];
  return pact;
};

const INTERACTIONS = interactions();

const dir = mkdtempSync(join(tmpdir(), 'dg-pacts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('consumer contracts through @devrev/typescript-sdk', () => {
  clearPacts(dir);

  // One Pact instance per interaction, run in order (a shared instance fails under concurrency).
  for (const i of INTERACTIONS) {
    it(`${i.description}: the client reads what it relies on`, async () => {
      const o = await runConsumerInteraction(i, dir);
      expect(o.status).toBe(i.status);
    });
  }

  it('covers every documented status of each create endpoint', () => {
    for (const { spec } of endpointModels()) expect(coveredStatuses(spec), spec.name).toEqual(documentedStatuses(spec));
  });

  it('sends valid requests for 201s and breaks the named rule for the 400s, by the rules oracle', () => {
    for (const i of INTERACTIONS) {
      const body = MatchersV3.reify(i.body);
      if (i.status === 400) {
        expect(checkRequest(i.endpoint, body).length, i.description).toBeGreaterThan(0);
      } else if (i.authenticated) {
        expect(isValidRequest(i.endpoint, body), i.description).toBe(true);
      }
    }
  });

  it('regenerates exactly the committed pacts/ (pact-ffi version metadata aside)', () => {
    const fresh = normalise(join(dir, PACT_FILE));
    const committed = normalise(join(import.meta.dirname, '../../pacts', PACT_FILE));
    expect(fresh).toEqual(committed);
  });

  it('writes a V4 pact whose interactions are exactly the current ones, with no token of a real user', () => {
    const pact = JSON.parse(readFileSync(join(dir, PACT_FILE), 'utf8')) as {
      metadata: { pactSpecification: { version: string } };
      interactions: Array<{ description: string; request: { headers?: Record<string, string[]> } }>;
    };
    expect(pact.metadata.pactSpecification.version).toBe('4.0');
    expect(pact.interactions.map((x) => x.description).sort()).toEqual(INTERACTIONS.map((x) => x.description).sort());
    const unauth = pact.interactions.filter((x) => x.description.includes('401'));
    // Every endpoint documents a request without a token.
    expect(unauth).toHaveLength(endpointModels().length);
    for (const x of unauth) expect(x.request.headers?.['Authorization']).toBeUndefined();
  });
});
