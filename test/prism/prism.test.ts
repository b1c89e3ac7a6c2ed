import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TARGET_DOWN_RULE } from '../../core/evidence.ts';
import type { Finding, RunResults } from '../../core/results.ts';

/**
 * The suite against a provider it did not write: Stoplight Prism serving the committed
 * slice of DevRev's document. Prism's answers are documented shapes by construction,
 * minus the prose rules, so every finding must be one of Prism's REAL deviations from the
 * documents, listed below with the documents' words, and none other.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/devrev-gate.js');
const PRISM = join(ROOT, 'node_modules/@stoplight/prism-cli/dist/index.js');
const SLICE = join(ROOT, 'api-model/openapi/devrev-slice.json');
const STATES = join(ROOT, 'test/prism/prism-states.ts');
const TOKEN = 'prism-selftest-token';

interface Deviation {
  /** What Prism does. */
  what: string;
  /** The document's words it breaks. */
  documents: string;
  matches(f: Finding): boolean;
}

const endsWithType = (f: Finding) => /(^|\/)type$/.test(f.pointer);

/** Prism's real deviations from DevRev's documents. */
const PRISM_DEVIATIONS: Deviation[] = [
  {
    what: 'generated bodies omit the `type` discriminator of user and org summaries and of every error envelope',
    documents: 'user-summary, org-summary and each error-* schema: `"required": ["type"]`',
    matches: (f) =>
      endsWithType(f) &&
      ['response-required-property-missing', 'pact-body-missing-field', 'properties.valid-accepted.response-schema', 'properties.phones-e164.error-envelope',
        'properties.invalid-rejected.error-envelope', 'properties.dev-state-shadow-only.error-envelope', 'properties.custom-fields-need-spec.error-envelope',
        'properties.no-token-rejected.error-envelope'].includes(f.ruleId),
  },
  {
    what: 'accepts (201) custom_fields without their custom_schema_spec',
    documents: 'custom-schema-spec: "Each custom field in the request must have the corresponding schema specified; omission results in a Bad Request error."',
    matches: (f) =>
      f.status === 201 &&
      ((f.ruleId === 'response-status-changed' && /custom-fields-without-spec/.test(f.checkId)) ||
        (f.ruleId === 'pact-status' && /custom-fields-without-custom-schema-spec/.test(f.checkId)) ||
        f.ruleId === 'properties.custom-fields-need-spec.status'),
  },
  {
    what: 'accepts (201) phone numbers that are not E.164',
    documents: 'rev-users-create-request.phone_numbers: "Phone numbers, in E.164 format, of the Rev user."',
    matches: (f) =>
      f.status === 201 &&
      ((f.ruleId === 'response-status-changed' && /phone-not-e164/.test(f.checkId)) ||
        (f.ruleId === 'pact-status' && /not-e\.?164/.test(f.checkId)) ||
        f.ruleId === 'properties.phones-e164.status'),
  },
  {
    what: 'accepts (201) a second rev user with an external_ref already taken (Prism keeps no state)',
    documents: 'rev-user.external_ref: "External ref is a mutable unique identifier for a user within the Rev organization"',
    matches: (f) =>
      (f.status === 201 && f.ruleId === 'response-status-changed' && /taken-external-ref/.test(f.checkId)) || f.ruleId === 'properties.external-ref-unique.status',
  },
  {
    what: 'sends no X-RateLimit-* headers',
    documents: 'the rate-limits page: every answer carries X-RateLimit-Limit, X-RateLimit-Remaining and X-RateLimit-Reset',
    matches: (f) => f.ruleId === 'rate-limit-header-missing' && f.severity === 'warning',
  },
  {
    what: 'omits retry_after from its 429 body (it knows only the schema, where the field is optional)',
    documents: 'the rate-limits page: a throttled request gets `{"type": "too_many_requests", "retry_after": <int>}` (prose, beyond the schema)',
    matches: (f) => f.pillar === 'contracts' && f.status === 429 && f.pointer === '/retry_after' && f.basis === 'prose',
  },
  {
    what: 'answers 500 to a deeply nested body, then its process dies on the next one (a stack overflow in its logger)',
    documents: 'no operation lists a 5xx for a request it cannot parse; a dead port answers nothing the document lists',
    matches: (f) => f.ruleId === 'properties.no-5xx.no-5xx' || f.ruleId === TARGET_DOWN_RULE,
  },
];

/**
 * What the contracts require and the documents do not: the case catalogue settles these
 * as `assumed` (at most warnings on a target that is not the simulator) or drops them.
 */
const NOT_IN_THE_DOCUMENTS: Deviation[] = [
  {
    what: 'ids that are not DevRev object ids (`don:…`): Prism answers "string"',
    documents: 'no pattern for id anywhere in the document (an assumption)',
    matches: (f) => f.pillar === 'contracts' && f.ruleId === 'pact-body' && /\/id$/.test(f.pointer),
  },
  {
    what: 'a sent field not echoed in the 201 (custom field, phone number)',
    documents: 'no sentence promises the echo (an assumption)',
    matches: (f) => f.pillar === 'contracts' && /\/custom_fields\/|\/phone_numbers\//.test(f.pointer),
  },
  {
    what: 'no X-RateLimit-* headers on an error answer',
    documents: 'the rate-limits page speaks of responses in general; whether 4xx answers carry the headers it does not say (an assumption)',
    matches: (f) => f.ruleId === 'rate-limit-header-missing-on-error' && f.severity === 'warning' && f.basis === 'assumed',
  },
  {
    what: 'optional fields missing: reference_id on 500, display_id on 201',
    documents: 'error-internal-server-error and the user objects: `"required": ["type"]` / `["id"]` only',
    matches: (f) => f.pillar === 'contracts' && /^\/(reference_id|display_id)$/.test(f.pointer),
  },
];

let prism: ChildProcess;
let url = '';

const freePort = () =>
  new Promise<number>((done) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => done(port));
    });
  });

const answers = async (u: string): Promise<boolean> => {
  try {
    await fetch(`${u}/dev-users.create`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  prism = spawn(process.execPath, [PRISM, 'mock', '-h', '127.0.0.1', '-p', String(port), SLICE], { stdio: 'ignore' });
  const until = Date.now() + 90_000;
  while (!(await answers(url))) {
    if (Date.now() > until || prism.exitCode !== null) throw new Error('Prism did not start');
    await new Promise((r) => setTimeout(r, 250));
  }
}, 100_000);

afterAll(() => {
  if (prism.exitCode === null) prism.kill();
});

const cli = (args: string[]) => {
  const dir = mkdtempSync(join(tmpdir(), 'dg-prism-'));
  const env = { ...process.env };
  delete env['DEVREV_API_URL'];
  delete env['DEVREV_TOKEN'];
  return new Promise<{ code: number; stdout: string; stderr: string; results: RunResults; ledger: string[] }>((done) => {
    execFile(process.execPath, [BIN, ...args, '--target', url, '--token', TOKEN, '--out', join(dir, 'out')], { cwd: dir, env, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const results = JSON.parse(readFileSync(join(dir, 'out', 'results.json'), 'utf8')) as RunResults;
      let ledger: string[] = [];
      try {
        ledger = readFileSync(join(dir, 'out', 'ledger.jsonl'), 'utf8').trim().split('\n').filter(Boolean);
      } catch {
        ledger = [];
      }
      done({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr, results, ledger });
    });
  });
};

const findingsOf = (r: RunResults) => r.pillars.flatMap((p) => p.checks.flatMap((c) => c.findings));
const explain = (f: Finding) => `${f.pillar} ${f.checkId} ${f.status} ${f.ruleId} ${f.pointer} actual=${JSON.stringify(f.actual)}`;

describe('devrev-gate against Stoplight Prism serving the pinned slice', () => {
  it('contracts with the SDK\'s bare token: ONE finding names the cause (Prism wants Bearer) and the fix', async () => {
    const run = await cli(['contracts', '--pact-dir', join(mkdtempSync(join(tmpdir(), 'dg-prism-pacts-')), 'pacts')]);
    expect(run.code).toBe(1);
    const root = findingsOf(run.results).filter((f) => f.ruleId === 'contracts-auth-scheme');
    expect(root).toHaveLength(1);
    expect(root[0]!.message).toMatch(/--auth-scheme bearer/);
    expect(root[0]!.message).toMatch(/docs say `Authorization: Bearer <token>`, while its official SDK sends the bare token/);
    // The rest: the two interactions without a token, whose 401 lacks `type` (a real deviation).
    const others = findingsOf(run.results).filter((f) => f.ruleId !== 'contracts-auth-scheme');
    expect(others.map(explain).filter((_, i) => !PRISM_DEVIATIONS.some((d) => d.matches(others[i]!)))).toEqual([]);
    expect(others.map((f) => f.checkId).sort()).toEqual(['contracts.dev-users.create-401-without-a-token', 'contracts.rev-users.create-401-without-a-token']);
  }, 120_000);

  it('reports what the documents leave to assumption as assumed warnings, never errors (settled by the case catalogue)', async () => {
    const run = await cli(['run', '--only', 'contracts', '--auth-scheme', 'bearer', '--states-module', STATES]);
    const assumed = findingsOf(run.results).filter((f) => NOT_IN_THE_DOCUMENTS.some((d) => d.matches(f)));
    expect(assumed.length).toBeGreaterThan(0);
    expect(assumed.filter((f) => f.severity === 'error').map(explain)).toEqual([]);
  }, 120_000);
  // Last: the properties pillar's deep nesting may kill Prism.
  it('run --skip load: every finding is one of Prism\'s real deviations or a check the documents leave to assumption, and the counts agree', async () => {
    const run = await cli(['run', '--skip', 'load', '--auth-scheme', 'bearer', '--states-module', STATES, '--seed', '7']);
    const all = findingsOf(run.results);
    const known = [...PRISM_DEVIATIONS, ...NOT_IN_THE_DOCUMENTS];
    expect(all.filter((f) => !known.some((d) => d.matches(f))).map(explain)).toEqual([]);
    // Each deviation but the crash is really observed, so this test could fail.
    for (const d of PRISM_DEVIATIONS.slice(0, -1)) expect(all.some((f) => d.matches(f)), d.what).toBe(true);
    // Prefer: code=… let the states reach the 403/429/500/503 interactions: none was skipped.
    const contracts = run.results.pillars.find((p) => p.pillar === 'contracts')!;
    expect(contracts.checks.filter((c) => c.outcome === 'skipped')).toEqual([]);
    // Prism answers "string" as every id: each create stays its own record.
    const { created, removed, remaining } = run.results.records;
    expect(created).toBe(removed + remaining);
    expect(run.ledger.filter((l) => JSON.parse(l).event === 'created')).toHaveLength(created);
    expect(created).toBeGreaterThan(10);
    if (findingsOf(run.results).some((f) => f.ruleId === TARGET_DOWN_RULE)) {
      expect(run.stderr).toMatch(/^verdict: FAIL \(the target stopped answering during properties\)/m);
    }
  }, 180_000);

});
