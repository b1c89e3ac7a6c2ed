import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pinnedSlice } from '../../api-model/openapi/slice.ts';
import type { Finding, RunResults } from '../../core/results.ts';
import { impactPactFiles, runSpecDiff } from '../../docs-drift/index.ts';
import { COMMITTED_PACT } from '../../docs-drift/pact-check.ts';
import { jsonPathTokens, readPactView } from '../../docs-drift/pact-view.ts';
import { openSide, sideOf } from '../../docs-drift/resolve.ts';
import { runCli, scratch } from '../errors/support.ts';
import { sarifValidator } from '../support/sarif-schema.ts';

// The impact of a docs change on our contract, judged from the pact FILE: each test
// document is the pinned slice with one change, so what the pact sends, reads and expects
// (read here from pacts/*.json by hand) decides the group, not the change's rule alone.

// biome-ignore lint/suspicious/noExplicitAny: each test edits the document where it needs
const pinnedCopy = (): any => structuredClone(pinnedSlice());
const pinned = openSide('pinned');
const side = (name: string, doc: unknown) => sideOf(name, name, doc as never);
const findingsOf = (results: { checks: Array<{ findings: Finding[] }> }) => results.checks.flatMap((c) => c.findings);

/** The rev user's own properties (the second allOf branch of `rev-user`). */
const revUserOwn = (doc: ReturnType<typeof pinnedCopy>) => doc.components.schemas['rev-user'].allOf[1].properties;

const pact = JSON.parse(readFileSync(COMMITTED_PACT, 'utf8'));
// biome-ignore lint/suspicious/noExplicitAny: a pact file's JSON
const interaction = (description: string): any => pact.interactions.find((i: { description: string }) => i.description === description);
/** Descriptions of the committed pact's interactions whose rev-user 201 reads `field`. */
const readingRevUser = (field: string): string[] =>
  // biome-ignore lint/suspicious/noExplicitAny: a pact file's JSON
  pact.interactions.filter((i: any) => i.response.body?.content?.rev_user?.[field] !== undefined).map((i: { description: string }) => i.description);
/** Descriptions of the committed pact's interactions that call `path`. */
const calling = (path: string): string[] =>
  pact.interactions.filter((i: { request: { path: string } }) => i.request.path === path).map((i: { description: string }) => i.description);

describe('what the committed pact reads, as the tests assume it (read from the file, not from the contracts module)', () => {
  it('the full rev-user 201 reads description but not custom_schema_fragments; the minimal request sends only its external_ref', () => {
    const full = interaction('rev-users.create 201 full request');
    expect(full.response.body.content.rev_user).toHaveProperty('description');
    expect(JSON.stringify(pact)).not.toContain('custom_schema_fragments');
    expect(interaction('rev-users.create 201 minimal request').request.body.content).toEqual({ external_ref: expect.any(String) });
    expect(readingRevUser('description')).toContain('rev-users.create 201 full request');
  });

  it('reads body keys and matching-rule paths, with array items as *', () => {
    const view = readPactView(COMMITTED_PACT);
    const full = view.interactions.find((i) => i.description === 'rev-users.create 201 full request')!;
    expect(full.endpoint).toBe('rev-users.create');
    expect(full.status).toBe(201);
    expect(full.reads.map((r) => r.path.join('/'))).toEqual(expect.arrayContaining(['rev_user/description', 'rev_user/tags/*/tag/id', 'rev_user/artifacts/*/id']));
    expect(full.sends.map((s) => s.path.join('/'))).toEqual(expect.arrayContaining(['tags/*/id', 'custom_schema_spec/tenant_fragment']));
    const throttled = view.interactions.find((i) => i.description === 'rev-users.create 429 with Retry-After and retry_after')!;
    expect(throttled.responseHeaders.has('retry-after')).toBe(true);
    expect(jsonPathTokens("$.a['b.c'][0].d")).toEqual(['a', 'b.c', '*', 'd']);
  });
});

/** A repository set up by init that keeps its own (V3) pact, reading a field the project's pact does not. */
const userRepoWithPact = () => {
  const repo = scratch('impact-user');
  writeFileSync(join(repo, 'devrev-gate.config.json'), '{}\n');
  mkdirSync(join(repo, 'pacts'));
  const userPact = join(repo, 'pacts', 'our-crm-devrev.json');
  // A V3 pact, as another Pact version writes it: the body is the value, rules under matchingRules.body.
  const pactV3 = {
    interactions: [
      {
        description: 'create a customer',
        request: { method: 'POST', path: '/rev-users.create', body: { display_name: 'x' } },
        response: { status: 201, body: { rev_user: { id: 'x' } }, matchingRules: { body: { '$.rev_user.custom_schema_fragments': { matchers: [{ match: 'type' }] } } } },
      },
    ],
    consumer: { name: 'our-crm' },
    provider: { name: 'devrev' },
    metadata: { pactSpecification: { version: '3.0.0' } },
  };
  writeFileSync(userPact, `${JSON.stringify(pactV3, null, 2)}\n`);
  return { repo, userPact };
};

describe('impact of one change from the pin, against the committed pact', () => {
  it('a response field the pact reads, removed: breaks our contract, naming the interaction and the field', async () => {
    const doc = pinnedCopy();
    delete revUserOwn(doc).description;
    const run = await runSpecDiff(pinned, side('no-description.json', doc), { pact: false });
    const [f] = findingsOf(run.result).filter((x) => x.ruleId === 'response-property-removed');
    expect(f?.impact?.group).toBe('breaks-our-contract');
    expect(f?.impact?.pacts).toEqual([
      {
        file: expect.stringMatching(/devrev-sdk-integrator-devrev-api\.json$/),
        touches: readingRevUser('description').map((interaction) => ({ interaction, how: 'reads response field /rev_user/description (status 201)' })),
      },
    ]);
    expect(run.result.checks.some((c) => c.outcome === 'fail')).toBe(true);
  });

  it('a response field the pact does not read, removed: breaking for other clients only, touching none of ours', async () => {
    const doc = pinnedCopy();
    delete revUserOwn(doc).custom_schema_fragments;
    const run = await runSpecDiff(pinned, side('no-fragments.json', doc), { pact: false });
    const found = findingsOf(run.result);
    expect(found.map((x) => x.ruleId)).toEqual(['response-property-removed']);
    expect(found[0]!.impact).toMatchObject({ group: 'breaks-other-clients', pacts: [{ touches: [] }] });
    // The default policy still fails on it; `our-contract` does not.
    expect(run.result.checks.some((c) => c.outcome === 'fail')).toBe(true);
    const ours = await runSpecDiff(pinned, side('no-fragments.json', doc), { pact: false, failOn: 'our-contract' });
    expect(ours.result.checks.every((c) => c.outcome === 'pass')).toBe(true);
  });

  it('a required request field the pact does not send: breaks our contract, at every interaction that sends a body without it', async () => {
    const doc = pinnedCopy();
    const req = doc.components.schemas['rev-users-create-request'];
    req.properties.tenant_ref = { type: 'string' };
    req.required = ['tenant_ref'];
    const run = await runSpecDiff(pinned, side('tenant-ref.json', doc), { pact: false, failOn: 'our-contract' });
    const [f] = findingsOf(run.result).filter((x) => x.ruleId === 'request-property-added-required');
    expect(f?.impact?.group).toBe('breaks-our-contract');
    const touched = f!.impact!.pacts[0]!.touches;
    // Every rev-users.create interaction sends a body, none of them tenant_ref.
    const revUserCalls = pact.interactions.filter((i: { request: { path: string } }) => i.request.path === '/rev-users.create').length;
    expect(touched).toHaveLength(revUserCalls);
    expect(touched).toContainEqual({ interaction: 'rev-users.create 201 minimal request', how: 'does not send request field /tenant_ref, now required' });
    expect(run.result.checks.some((c) => c.outcome === 'fail')).toBe(true);
  });

  it('a request field that became optional is not breaking, whatever it touches', async () => {
    const doc = pinnedCopy();
    const req = doc.components.schemas['dev-users-create-request'];
    req.required = req.required.filter((n: string) => n !== 'email');
    const run = await runSpecDiff(pinned, side('email-optional.json', doc), { pact: false });
    const [f] = findingsOf(run.result).filter((x) => x.ruleId === 'request-property-became-optional');
    expect(f?.impact?.group).toBe('not-breaking');
  });

  it('a removed endpoint the pact calls: breaks our contract at each of its interactions', async () => {
    const doc = pinnedCopy();
    delete doc.paths['/dev-users.create'];
    const run = await runSpecDiff(pinned, side('no-dev-users.json', doc), { pact: false });
    const [f] = findingsOf(run.result).filter((x) => x.ruleId === 'endpoint-removed');
    expect(f?.impact?.group).toBe('breaks-our-contract');
    const calls = pact.interactions.filter((i: { request: { path: string } }) => i.request.path === '/dev-users.create');
    expect(f!.impact!.pacts[0]!.touches.map((t) => t.interaction).sort()).toEqual(calls.map((i: { description: string }) => i.description).sort());
    expect(f!.impact!.pacts[0]!.touches[0]!.how).toBe('calls POST /dev-users.create');
  });

  it('a removed status the pact expects, and a response header it reads, break our contract', async () => {
    const doc = pinnedCopy();
    delete doc.paths['/rev-users.create'].post.responses['409'];
    const r409 = await runSpecDiff(pinned, side('no-409.json', doc), { pact: false });
    const [status] = findingsOf(r409.result).filter((x) => x.ruleId === 'response-status-removed');
    expect(status?.impact).toMatchObject({ group: 'breaks-our-contract', pacts: [{ touches: [{ interaction: 'rev-users.create 409 for a taken external_ref', how: 'expects status 409' }] }] });
  });

  it('a response header the pact reads, removed: the 429 interactions that read Retry-After', async () => {
    const doc = pinnedCopy();
    delete doc.components.responses['too-many-requests'].headers['Retry-After'];
    const run = await runSpecDiff(pinned, side('no-retry-after.json', doc), { pact: false });
    const [f] = findingsOf(run.result).filter((x) => x.ruleId === 'response-header-removed');
    expect(f?.impact?.group).toBe('breaks-our-contract');
    expect(f!.impact!.pacts[0]!.touches.map((t) => t.how)).toEqual(['reads response header Retry-After (status 429)', 'reads response header Retry-After (status 429)']);
  });

  it('a request enum value removed touches only the interactions that send that value', async () => {
    const doc = pinnedCopy();
    doc.components.schemas['dev-users-create-request-state-enum-value'].enum = ['active'];
    const run = await runSpecDiff(pinned, side('state-active.json', doc), { pact: false });
    const [f] = findingsOf(run.result).filter((x) => x.ruleId === 'request-enum-value-removed');
    const touched = f!.impact!.pacts[0]!.touches.map((t) => t.interaction);
    expect(touched).toContain('dev-users.create 201 minimal request');
    // It sends "active" on purpose (to get a 400): the removal of "shadow" does not touch it.
    expect(touched).not.toContain('dev-users.create 400 for a state other than shadow');
    expect(f!.impact!.pacts[0]!.touches[0]!.how).toBe('sends request field /state = "shadow"');
  });

  it('a user pact kept after init is read too: a field only it reads makes the change break our contract', async () => {
    const { repo, userPact } = userRepoWithPact();
    expect(impactPactFiles(COMMITTED_PACT, repo)).toEqual([COMMITTED_PACT, userPact]);
    const doc = pinnedCopy();
    delete revUserOwn(doc).custom_schema_fragments;
    const run = await runSpecDiff(pinned, side('no-fragments.json', doc), { pact: false, impactPacts: impactPactFiles(COMMITTED_PACT, repo).map(readPactView) });
    const [f] = findingsOf(run.result);
    expect(f?.impact?.group).toBe('breaks-our-contract');
    expect(f?.impact?.pacts.map((p) => p.touches)).toEqual([[], [{ interaction: 'create a customer', how: 'reads response field /rev_user/custom_schema_fragments (status 201)' }]]);
  });

  it('in the user\'s repository, spec check --fail-on our-contract fails on it, and SARIF points at the interaction in their pact', async () => {
    const { repo } = userRepoWithPact();
    const doc = pinnedCopy();
    delete revUserOwn(doc).custom_schema_fragments;
    writeFileSync(join(repo, 'next.json'), JSON.stringify(doc));
    const run = await runCli(['spec', 'check', '--openapi', 'next.json', '--fail-on', 'our-contract', '--no-pact', '--out', 'out'], { cwd: repo });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('touches 1 interaction(s) of pacts/our-crm-devrev.json:');
    const sarif = JSON.parse(readFileSync(join(repo, 'out', 'results.sarif'), 'utf8'));
    const validate = sarifValidator();
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const [result] = sarif.runs[0].results;
    // The interaction's object opens on the line above its description.
    const descriptionLine = readFileSync(join(repo, 'pacts', 'our-crm-devrev.json'), 'utf8').split('\n').findIndex((l) => l.includes('"description": "create a customer"')) + 1;
    const related = result.relatedLocations.find((l: { id: number }) => l.id === 2);
    expect(related).toMatchObject({
      message: { text: 'create a customer: reads response field /rev_user/custom_schema_fragments (status 201)' },
      physicalLocation: { artifactLocation: { uri: 'pacts/our-crm-devrev.json' }, region: { startLine: descriptionLine - 1 } },
    });
  }, 60_000);

  it('a file in the user\'s pacts/ that is not a pact: spec check exits 2 naming it, and writes nothing', async () => {
    const repo = scratch('impact-bad-pact');
    writeFileSync(join(repo, 'devrev-gate.config.json'), '{}\n');
    mkdirSync(join(repo, 'pacts'));
    writeFileSync(join(repo, 'pacts', 'notes.json'), '{"hello": 1}');
    const run = await runCli(['spec', 'check', '--openapi', 'pinned', '--out', 'out'], { cwd: repo });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/notes\.json: not a pact file/);
    expect(existsSync(join(repo, 'out'))).toBe(false);
  });
});

describe('impact of a security scheme change: where the new scheme reads the token', () => {
  const withScheme = (scheme: Record<string, unknown>) => {
    const doc = pinnedCopy();
    doc.components.securitySchemes['auth-token'] = scheme;
    return doc;
  };
  const withToken = readPactView(COMMITTED_PACT).interactions.filter((i) => i.requestHeaders.has('authorization'));

  it('an API key in another header: breaks our contract at every call that sends a token, and not the call without one', async () => {
    const run = await runSpecDiff(pinned, side('x-api-key.json', withScheme({ type: 'apiKey', in: 'header', name: 'X-Api-Key' })), { pact: false });
    const [f] = findingsOf(run.result).filter((x) => x.ruleId === 'security-scheme-changed');
    expect(f?.impact?.group).toBe('breaks-our-contract');
    const touched = f!.impact!.pacts[0]!.touches;
    // The change applies to the endpoints the pin secures with auth-token: every call of ours with a token.
    expect(touched.map((t) => t.interaction).sort()).toEqual(withToken.filter((i) => f!.endpoint.split(', ').includes(i.endpoint)).map((i) => i.description).sort());
    expect(touched[0]!.how).toBe('sends its token in the Authorization header, where the new scheme reads header x-api-key');
  });

  it('an API key in Authorization (the 2024 form): our calls send the token there, so it breaks only other clients', async () => {
    const run = await runSpecDiff(pinned, side('authorization-key.json', withScheme({ type: 'apiKey', in: 'header', name: 'Authorization' })), { pact: false });
    const [f] = findingsOf(run.result).filter((x) => x.ruleId === 'security-scheme-changed');
    expect(f?.severity).toBe('error');
    expect(f?.impact).toMatchObject({ group: 'breaks-other-clients', pacts: [{ touches: [] }] });
  });
});

describe('spec check --fail-on our-contract, through the CLI', () => {
  const writeDoc = (dir: string, name: string, doc: unknown) => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify(doc));
    return f;
  };
  const results = (out: string) => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as RunResults;

  it('exits 0 when only other clients break, 1 when ours does; every report says which group', async () => {
    const dir = scratch('impact-cli');
    const others = pinnedCopy();
    delete revUserOwn(others).custom_schema_fragments;
    const ours = pinnedCopy();
    delete revUserOwn(ours).description;
    const outA = join(dir, 'a');
    const a = await runCli(['spec', 'check', '--openapi', writeDoc(dir, 'others.json', others), '--fail-on', 'our-contract', '--out', outA]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toContain(' breaks our contract: none');
    expect(a.stdout).toContain(' breaking for other clients: 1 change(s)');
    expect(a.stdout).toMatch(/touches no interaction of .*devrev-sdk-integrator-devrev-api\.json/);
    expect(a.stderr).toContain('impact: 0 breaks our contract, 1 breaking for other clients');
    expect(results(outA).failOn).toBe('our-contract');
    // JUnit and CTRF tell the same story: nothing failed, the finding is logged with its group.
    const junitA = readFileSync(join(outA, 'junit.xml'), 'utf8');
    expect(junitA).not.toContain('<failure message="1 finding');
    expect(junitA).toContain('impact: breaking for other clients (no interaction of');
    const ctrfA = JSON.parse(readFileSync(join(outA, 'ctrf.json'), 'utf8'));
    const removedA = ctrfA.results.tests.find((t: { extra: { findings: Array<{ ruleId: string }> } }) => t.extra.findings.some((f) => f.ruleId === 'response-property-removed'));
    expect(removedA).toMatchObject({ status: 'passed', message: '1 finding(s) that --fail-on does not fail on, or ignored' });
    expect(removedA.extra.findings[0].impact).toBe('breaks-other-clients');
    expect(readFileSync(join(outA, 'summary.md'), 'utf8')).toContain('#### Breaking for other clients (1)');
    // The same document under the default policy fails: the policy is what differs.
    const b = await runCli(['spec', 'check', '--openapi', join(dir, 'others.json'), '--out', join(dir, 'b')]);
    expect(b.code, b.stderr).toBe(1);

    const outC = join(dir, 'c');
    const c = await runCli(['spec', 'check', '--openapi', writeDoc(dir, 'ours.json', ours), '--fail-on', 'our-contract', '--out', outC]);
    expect(c.code, c.stderr).toBe(1);
    expect(c.stdout).toContain(' breaks our contract: 1 change(s)');
    // The pact check sees the same break from the pact's side: its mismatch is in the group too.
    expect(c.stdout).toMatch(/ERROR {3}pact-response-incompatible \[breaks our contract\] {2}rev-users.create 201 full request/);
    // The change itself, and the pact check's mismatch at every interaction that reads the field.
    const ourFindings = 1 + readingRevUser('description').length;
    expect(c.stderr).toContain(`impact: ${ourFindings} breaks our contract, 0 breaking for other clients`);
    expect(c.stdout).toContain('rev-users.create 201 full request: reads response field /rev_user/description (status 201)');
    const md = readFileSync(join(outC, 'summary.md'), 'utf8');
    expect(md).toContain(`#### Breaks our contract (${ourFindings})`);
    const html = readFileSync(join(outC, 'index.html'), 'utf8');
    expect(html).toContain('<h2 id="impact">Impact on our contract</h2>');
    expect(html).toContain(`<strong class="impact-count" data-group="breaks-our-contract">${ourFindings}</strong>`);
    const sarif = JSON.parse(readFileSync(join(outC, 'results.sarif'), 'utf8'));
    const removed = sarif.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'response-property-removed');
    expect(removed.message.text).toMatch(/^breaks our contract: /);
    expect(removed.properties).toMatchObject({ impact: 'breaks-our-contract', tags: ['breaks-our-contract'] });
    expect(sarif.runs[0].invocations[0]).toMatchObject({ exitCode: 1, properties: { failOn: 'our-contract' } });
  }, 120_000);

  it('--fail-on our-contract is refused where findings carry no impact (drift), and named in spec check --help', async () => {
    const help = await runCli(['spec', 'check', '--help']);
    expect(help.stdout).toContain('our-contract');
    const drift = await runCli(['drift', '--fail-on', 'our-contract']);
    expect(drift.code).toBe(2);
    expect(drift.stderr).toContain("argument 'our-contract' is invalid");
  });
});

// DevRev's published beta documents, kept beside the project (not in it), as history.test.ts
// reads them: where they are absent this suite is reported as skipped, never as passed.
const REFERENCE = resolve(import.meta.dirname, '../../../shared/reference');
const NEWEST = `${REFERENCE}/openapi-beta.yaml`;
const JULY_2024 = `${REFERENCE}/openapi-history/openapi-beta-2024-07-25-1b342da.yaml`;
const JAN_2025 = `${REFERENCE}/openapi-history/openapi-beta-2025-01-28-5f08057.yaml`;

describe.runIf(existsSync(JULY_2024) && existsSync(JAN_2025) && existsSync(NEWEST))('impact on the pact of DevRev\'s real documents (runs only where ../shared/reference exists)', () => {
  const groups = (run: Awaited<ReturnType<typeof runSpecDiff>>) =>
    run.changes.filter((c) => run.impacts.get(c)!.group !== 'not-breaking').map((c) => `${run.impacts.get(c)!.group} ${c.ruleId} ${c.endpoints.join(',')} ${c.summary}`);

  it('spec check against 2024-07-25: dev-users.create gone breaks us; the API-key scheme (read from Authorization, where our calls send the token), dev-users.deactivate gone and removed answer fields break only others', async () => {
    const run = await runSpecDiff(pinned, openSide(JULY_2024), { pact: false, failOn: 'our-contract' });
    const g = groups(run);
    expect(g).toContain('breaks-our-contract endpoint-removed dev-users.create /dev-users.create is no longer documented');
    expect(g).toContain('breaks-other-clients security-scheme-changed rev-users.create,rev-users.delete security scheme auth-token: type "http" → "apiKey"');
    expect(g).toContain('breaks-other-clients endpoint-removed dev-users.deactivate /dev-users.deactivate is no longer documented');
    expect(g).toContain('breaks-other-clients response-property-removed rev-users.create property primary_identity removed');
    expect(g.filter((x) => x.startsWith('breaks-our-contract'))).toHaveLength(1);
    expect(run.result.checks.some((c) => c.outcome === 'fail')).toBe(true);
  });

  it('spec check against 2025-01-28: only the removal of dev-users.create breaks us, at every interaction that calls it', async () => {
    const run = await runSpecDiff(pinned, openSide(JAN_2025), { pact: false });
    const ours = run.changes.filter((c) => run.impacts.get(c)!.group === 'breaks-our-contract');
    expect(ours.map((c) => c.ruleId)).toEqual(['endpoint-removed']);
    expect(run.impacts.get(ours[0]!)!.pacts[0]!.touches.map((t) => t.interaction).sort()).toEqual(calling('/dev-users.create').sort());
    expect(groups(run).filter((x) => x.startsWith('breaks-other-clients')).length).toBeGreaterThan(0);
  });

  it('2024-07-25 → newest: the body that became required breaks only clients that send none (ours always sends one)', async () => {
    const run = await runSpecDiff(openSide(JULY_2024), openSide(NEWEST), { pact: false });
    expect(groups(run)).toContain('breaks-other-clients request-body-became-required rev-users.create the request body became required');
  });

  it('spec check --openapi on the newest document (the pin): no change, the pact fits, --fail-on our-contract passes', async () => {
    const out = join(scratch('impact-newest'), 'out');
    const run = await runCli(['spec', 'check', '--openapi', NEWEST, '--fail-on', 'our-contract', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/: no change\n/);
    expect(run.stdout).toMatch(/the pact fits the OpenAPI document .*: fits/);
  }, 60_000);
});
