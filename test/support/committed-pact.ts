import { readFileSync } from 'node:fs';
import { COMMITTED_PACT } from '../../docs-drift/pact-check.ts';

/**
 * What the committed pact holds, for tests that count its interactions: the interactions of
 * an endpoint, and those whose 201 example reads a field back (the ones a document that
 * drops that field breaks). Derived from the file, so a case added to the model is counted.
 */
interface PactInteraction {
  description: string;
  request: { path: string };
  response: { status: number; body?: { content?: Record<string, Record<string, unknown> | undefined> } };
}

const committed = (): PactInteraction[] => (JSON.parse(readFileSync(COMMITTED_PACT, 'utf8')) as { interactions: PactInteraction[] }).interactions;

/** Descriptions of the committed interactions of `endpoint`, sorted. */
export const pactInteractionsOf = (endpoint: string): string[] =>
  committed()
    .filter((i) => i.request.path === `/${endpoint}`)
    .map((i) => i.description)
    .sort();

/** Descriptions of the committed interactions whose 201 reads `field` of the `envelope` record, sorted. */
export const pactReadersOf = (endpoint: string, envelope: string, field: string): string[] =>
  committed()
    .filter((i) => i.request.path === `/${endpoint}` && i.response.status === 201 && i.response.body?.content?.[envelope]?.[field] !== undefined)
    .map((i) => i.description)
    .sort();
