import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pinnedSlice } from '../../api-model/openapi/slice.ts';
import { withPactDocumentCheck } from '../../docs-drift/index.ts';
import { checkPactAgainst, COMMITTED_PACT } from '../../docs-drift/pact-check.ts';
import { openSide, sideOf } from '../../docs-drift/resolve.ts';
import { scratch } from '../errors/support.ts';
import { pactReadersOf } from '../support/committed-pact.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests edit documents and pacts where they need
type Json = any;

const pinnedCopy = (): Json => structuredClone(pinnedSlice());
const pactCopy = (): Json => JSON.parse(readFileSync(COMMITTED_PACT, 'utf8'));
const writePact = (pact: Json): string => {
  const file = join(scratch('pact'), 'pact.json');
  writeFileSync(file, JSON.stringify(pact));
  return file;
};

describe('the committed pact against an OpenAPI document (openapi-pact-comparator)', () => {
  it('fits the pinned slice: no finding', async () => {
    const check = await checkPactAgainst(openSide('pinned'), { pillar: 'spec' });
    expect(check.findings).toEqual([]);
    expect(check.outcome).toBe('pass');
  });

  it('fails against a document without a response property the pact relies on, naming the interaction and the pointer', async () => {
    const doc = pinnedCopy();
    // The dev user's full_name, which the full-create interaction reads back.
    delete doc.components.schemas['user-base'].allOf[1].properties.full_name;
    const check = await checkPactAgainst(sideOf('no-full-name.json', 'no-full-name.json', doc), { pillar: 'spec' });
    expect(check.outcome).toBe('fail');
    // One finding for each interaction that reads full_name back (the fields and the full create).
    const readers = pactReadersOf('dev-users.create', 'dev_user', 'full_name');
    expect(readers).toContain('dev-users.create 201 full request');
    expect(check.findings.map((f) => f.caseId).sort()).toEqual(readers);
    for (const f of check.findings) {
      expect(f).toMatchObject({ ruleId: 'pact-response-incompatible', severity: 'error', endpoint: 'dev-users.create', status: 201, pointer: '/dev_user/full_name' });
      expect(f.message).toContain(f.caseId!);
    }
  });

  it('a property of a discriminated parent (retry_after beside the 429 variant) is read with the variant, and its removal is found', async () => {
    const doc = pinnedCopy();
    delete doc.components.schemas['error-too-many-requests'].allOf[1].properties.retry_after;
    const check = await checkPactAgainst(sideOf('no-retry-after.json', 'no-retry-after.json', doc), { pillar: 'spec' });
    expect(check.findings.map((f) => [f.caseId, f.pointer])).toEqual([
      ['dev-users.create 429 with Retry-After and retry_after', '/retry_after'],
      ['rev-users.create 429 with Retry-After and retry_after', '/retry_after'],
    ]);
    expect(check.findings[0]!.specPointers?.from).toBe('/components/schemas/error-too-many-requests-too-many-requests/additionalProperties');
  });

  it('a property the pact relies on that the document never declares is still reported (objects stay closed)', async () => {
    const pact = pactCopy();
    const i = pact.interactions.find((x: Json) => x.description === 'rev-users.create 201 minimal request');
    i.response.body.content.rev_user.nickname = 'Robin';
    const check = await checkPactAgainst(openSide('pinned'), { pillar: 'spec', pactFile: writePact(pact) });
    expect(check.findings.map((f) => [f.ruleId, f.caseId, f.pointer])).toEqual([
      ['pact-response-incompatible', 'rev-users.create 201 minimal request', '/rev_user/nickname'],
    ]);
  });

  it('a request without the Authorization header the document requires is reported', async () => {
    const pact = pactCopy();
    const i = pact.interactions.find((x: Json) => x.description === 'rev-users.create 201 minimal request');
    delete i.request.headers.Authorization;
    const check = await checkPactAgainst(openSide('pinned'), { pillar: 'spec', pactFile: writePact(pact) });
    expect(check.findings.map((f) => [f.ruleId, f.caseId])).toEqual([['pact-request-incompatible', 'rev-users.create 201 minimal request']]);
  });

  it('an operation the document lacks is reported for every interaction that calls it', async () => {
    const doc = pinnedCopy();
    delete doc.paths['/dev-users.create'];
    const check = await checkPactAgainst(sideOf('no-dev.json', 'no-dev.json', doc), { pillar: 'contracts' });
    const dev = pactCopy().interactions.filter((x: Json) => x.request.path === '/dev-users.create').length;
    expect(check.findings.filter((f) => f.ruleId === 'pact-operation-undocumented')).toHaveLength(dev);
    expect(check.findings.every((f) => f.pillar === 'contracts' && f.endpoint === 'dev-users.create')).toBe(true);
  });
});

describe('run: the contracts pillar gains the pact-vs-pin check', () => {
  const pillar = (pactFile?: string) => ({
    pillar: 'contracts' as const,
    startedAt: new Date().toISOString(),
    durationMs: 1,
    requestsSent: 0,
    checks: [],
    ...(pactFile ? { data: { pactFile } as Record<string, unknown> } : {}),
  });

  it('checks the pact the pillar wrote against the pinned slice, as one more contracts check', async () => {
    const pact = pactCopy();
    pact.interactions.find((x: Json) => x.description === 'dev-users.create 201 minimal request').response.body.content.dev_user.nickname = 'Robin';
    const result = await withPactDocumentCheck(pillar(writePact(pact)));
    expect(result.checks.map((c) => [c.id, c.outcome])).toEqual([['contracts.pact-vs-document', 'fail']]);
    expect(result.checks[0]!.findings[0]).toMatchObject({ pillar: 'contracts', caseId: 'dev-users.create 201 minimal request', pointer: '/dev_user/nickname' });
  });

  it('falls back to the committed pact when the pillar wrote none', async () => {
    const result = await withPactDocumentCheck(pillar('/nonexistent/pact.json'));
    expect(result.checks.map((c) => [c.id, c.outcome, c.findings.length])).toEqual([['contracts.pact-vs-document', 'pass', 0]]);
  });
});
