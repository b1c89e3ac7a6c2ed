import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffSpecs, type SpecChange } from '../../docs-drift/diff.ts';
import { checkPactAgainst } from '../../docs-drift/pact-check.ts';
import { openSide } from '../../docs-drift/resolve.ts';

// DevRev's earlier published beta documents, kept beside the project (not in it). Where
// they are absent this suite is reported as skipped, never as passed.
const HISTORY = resolve(import.meta.dirname, '../../../shared/reference/openapi-history');
const JULY_2024 = `${HISTORY}/openapi-beta-2024-07-25-1b342da.yaml`;
const JAN_2025 = `${HISTORY}/openapi-beta-2025-01-28-5f08057.yaml`;

const find = (changes: SpecChange[], ruleId: string, to: string) => changes.find((c) => c.ruleId === ruleId && c.to === to);

describe.runIf(existsSync(HISTORY))('published DevRev documents, 2024-07-25 → 2025-01-28 → the pin (runs only where ../shared/reference/openapi-history exists)', () => {
  const july = openSide(JULY_2024);
  const january = openSide(JAN_2025);
  const pinned = openSide('pinned');

  it('2025-01-28 → pin: dev-users.create is added, and the org summary gains a dev_org variant', () => {
    const changes = diffSpecs(january, pinned);
    expect(find(changes, 'endpoint-added', '/paths/~1dev-users.create')).toMatchObject({ from: '/paths', endpoints: ['dev-users.create'] });
    const devOrg = find(changes, 'response-discriminator-mapping-added', '/components/schemas/org-summary/discriminator/mapping/dev_org');
    expect(devOrg).toMatchObject({ from: '/components/schemas/org-summary/discriminator', after: 'dev_org', endpoints: ['rev-users.create'] });
    expect(devOrg!.places).toContain('response 201 /rev_user/created_by/rev_org');
    expect(find(changes, 'response-enum-value-added', '/components/schemas/org-type/enum')).toMatchObject({ after: 'dev_org' });
    // Nothing in it breaks a client of the January document outright.
    expect(changes.filter((c) => ['endpoint-removed', 'response-property-removed', 'request-body-became-required'].includes(c.ruleId))).toEqual([]);
  });

  it('2024-07-25 → pin: custom_schema_spec appears, the request body becomes required, artifact summaries gain file', () => {
    const changes = diffSpecs(july, pinned);
    expect(find(changes, 'request-property-added', '/components/schemas/rev-users-create-request/properties/custom_schema_spec')).toMatchObject({
      from: '/components/schemas/rev-users-create-request',
      places: ['request body /custom_schema_spec'],
    });
    expect(find(changes, 'request-body-became-required', '/paths/~1rev-users.create/post/requestBody/required')).toMatchObject({ before: false, after: true });
    expect(find(changes, 'response-property-added', '/components/schemas/artifact-summary/allOf/1/properties/file')).toBeDefined();
    expect(find(changes, 'endpoint-added', '/paths/~1dev-users.deactivate')).toBeDefined();
  });

  it('2024-07-25 → 2025-01-28: custom_schema_spec arrives, dev-users.create does not yet', () => {
    const changes = diffSpecs(july, january);
    expect(find(changes, 'request-property-added', '/components/schemas/rev-users-create-request/properties/custom_schema_spec')).toBeDefined();
    expect(changes.some((c) => c.endpoints.includes('dev-users.create'))).toBe(false);
  });

  it('2024-07-25 → 2025-01-28: the token moves from a raw Authorization API key to an HTTP bearer scheme; the 429 keeps Retry-After', () => {
    const changes = diffSpecs(july, january);
    expect(find(changes, 'security-scheme-changed', '/components/securitySchemes/auth-token/type')).toMatchObject({
      from: '/components/securitySchemes/auth-token/type',
      before: 'apiKey',
      after: 'http',
      endpoints: ['rev-users.create', 'rev-users.delete'],
    });
    expect(changes.filter((c) => c.ruleId.startsWith('security-') || c.ruleId.startsWith('response-header-')).map((c) => c.ruleId)).toEqual(['security-scheme-changed']);
  });

  it('the pact against the 2025-01-28 document: every dev-users.create interaction calls an undocumented operation', async () => {
    const check = await checkPactAgainst(january, { pillar: 'spec' });
    const undocumented = check.findings.filter((f) => f.ruleId === 'pact-operation-undocumented');
    expect(undocumented.length).toBeGreaterThan(0);
    expect(new Set(undocumented.map((f) => f.endpoint))).toEqual(new Set(['dev-users.create']));
  });
});
