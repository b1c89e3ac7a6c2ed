import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RequestBudget } from '../../core/budget.ts';
import { BudgetExhaustedError, UsageError } from '../../core/errors.ts';
import { Ledger } from '../../core/ledger.ts';
import { createRunContext } from '../../core/run-context.ts';
import { pointerOf, segmentsOf, valueAt } from '../../core/pointer.ts';
import { REDACTED, Redactor, secretsFromEnv } from '../../core/redact.ts';
import { capForBasis, type Finding, outcomeOf, verdictOf } from '../../core/results.ts';
import { isLoopbackHost, parseTarget } from '../../core/target.ts';

describe('the redactor', () => {
  const r = new Redactor(['s3cr3t-token-value']);

  it('replaces the token wherever it appears in text', () => {
    expect(r.text('Authorization: Bearer s3cr3t-token-value; again s3cr3t-token-value')).toBe(
      `Authorization: Bearer ${REDACTED}; again ${REDACTED}`,
    );
  });

  it('masks every header whose name suggests a secret, whatever its value', () => {
    expect(r.headers({ authorization: 'x', 'x-api-key': 'k', cookie: 'c', 'content-type': 'application/json' })).toEqual({
      authorization: REDACTED,
      'x-api-key': REDACTED,
      cookie: REDACTED,
      'content-type': 'application/json',
    });
  });

  it('scrubs data by value only: the token goes wherever it appears, data keys and numbers stay', () => {
    expect(
      r.deep({
        classCounts: { 'rev.no-token': 19, 'dev.no-token.minimal': 7 },
        a: { token_bucket: 3, note: 'token s3cr3t-token-value' },
        list: ['s3cr3t-token-value'],
        ['key-s3cr3t-token-value']: 1,
      }),
    ).toEqual({
      classCounts: { 'rev.no-token': 19, 'dev.no-token.minimal': 7 },
      a: { token_bucket: 3, note: `token ${REDACTED}` },
      list: [REDACTED],
      [`key-${REDACTED}`]: 1,
    });
  });

  it('masks secret-named settings by name, at any depth, and scrubs the rest by value', () => {
    expect(
      r.config({ target: 'https://api.devrev.ai', token: 'abc', fixtures: { apiKey: 12345, password: 'p', org: 'x s3cr3t-token-value' }, pillars: ['drift'] }),
    ).toEqual({ target: 'https://api.devrev.ai', token: REDACTED, fixtures: { apiKey: REDACTED, password: REDACTED, org: `x ${REDACTED}` }, pillars: ['drift'] });
  });

  it('takes the configured secrets from the environment: a broker token or password is removed by value too', () => {
    const secrets = secretsFromEnv({ PACT_BROKER_TOKEN: 'broker-tok-91ab', PACT_BROKER_PASSWORD: 'hunter2-pw', PACT_BROKER_USERNAME: 'ci', HOME: '/root' });
    expect(secrets.sort()).toEqual(['broker-tok-91ab', 'hunter2-pw']);
    // The run context's redactor knows them.
    const before = process.env['PACT_BROKER_TOKEN'];
    process.env['PACT_BROKER_TOKEN'] = 'broker-tok-91ab';
    try {
      const ctx = createRunContext({ target: parseTarget('http://127.0.0.1:9'), token: 't0ken-value', outDir: mkdtempSync(join(tmpdir(), 'dg-redact-')) });
      expect(ctx.redactor.text('publish -b broker-tok-91ab with t0ken-value')).toBe(`publish -b ${REDACTED} with ${REDACTED}`);
    } finally {
      if (before === undefined) delete process.env['PACT_BROKER_TOKEN'];
      else process.env['PACT_BROKER_TOKEN'] = before;
    }
  });

  it('ignores secrets too short to mean anything', () => {
    expect(new Redactor(['ab']).text('abc')).toBe('abc');
  });
});

describe('the request budget', () => {
  it('grants exactly its maximum and then refuses with a hint', () => {
    const b = new RequestBudget(3);
    b.take();
    b.take(2);
    expect(b.sent).toBe(3);
    expect(() => b.take()).toThrow(BudgetExhaustedError);
    expect(b.takeUpTo(5)).toBe(0);
  });

  it('grants part of a batch when only part is left', () => {
    const b = new RequestBudget(10);
    b.take(7);
    expect(b.takeUpTo(5)).toBe(3);
    expect(b.remaining).toBe(0);
  });
});

describe('the target guard', () => {
  it('knows the loopback range and nothing else', () => {
    for (const h of ['127.0.0.1', '127.9.8.7', 'localhost', 'api.localhost', '[::1]', '::1']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['10.0.0.1', '192.168.1.1', '172.16.0.1', 'api.devrev.ai', '128.0.0.1', '::2', 'localhost.evil.example'])
      expect(isLoopbackHost(h)).toBe(false);
  });

  it('classifies targets and trims trailing slashes', () => {
    expect(parseTarget('http://127.0.0.1:8080/')).toEqual({ url: 'http://127.0.0.1:8080', kind: 'loopback' });
    expect(parseTarget('https://api.devrev.ai')).toEqual({ url: 'https://api.devrev.ai', kind: 'remote' });
  });

  it('refuses what is not a usable base URL, naming --target', () => {
    for (const bad of ['api.devrev.ai', 'ftp://x', 'https://u:p@api.devrev.ai', 'https://api.devrev.ai/?a=1', '']) {
      expect(() => parseTarget(bad)).toThrow(UsageError);
      expect(() => parseTarget(bad)).toThrow(/--target/);
    }
  });
});

describe('JSON pointers', () => {
  it('escape and unescape ~ and / as RFC 6901 says', () => {
    expect(pointerOf('custom_fields', 'a/b~c', 0)).toBe('/custom_fields/a~1b~0c/0');
    expect(segmentsOf('/custom_fields/a~1b~0c/0')).toEqual(['custom_fields', 'a/b~c', '0']);
  });

  it('find the value a pointer names', () => {
    expect(valueAt({ a: [{ 'b/c': 1 }] }, '/a/0/b~1c')).toBe(1);
    expect(valueAt({ a: 1 }, '/x/y')).toBeUndefined();
    expect(valueAt({ a: 1 }, '')).toEqual({ a: 1 });
  });
});

describe('the ledger', () => {
  it('appends each record to its file as it happens and knows what is outstanding', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'ledger-')), 'ledger.jsonl');
    const l = new Ledger(file, 'run1');
    l.record({ event: 'created', endpoint: 'rev-users.create', id: 'A' });
    l.record({ event: 'created', endpoint: 'dev-users.create', id: 'B' });
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
    l.record({ event: 'removed', endpoint: 'rev-users.create', id: 'A' });
    expect(l.outstanding().map((e) => e.id)).toEqual(['B']);
    expect(l.counts()).toEqual({ created: 2, removed: 1 });
    expect(JSON.parse(readFileSync(file, 'utf8').split('\n')[0]!)).toMatchObject({ runId: 'run1', id: 'A' });
  });
});

describe('the results model', () => {
  const finding = (severity: Finding['severity'], ignored = false): Finding => ({
    checkId: 'c',
    pillar: 'drift',
    endpoint: 'rev-users.create',
    status: 201,
    ruleId: 'r',
    severity,
    basis: 'spec',
    pointer: '',
    message: 'm',
    reproduction: null,
    ...(ignored ? { ignored: { reason: 'known', expires: null } } : {}),
  });

  it('fails a check only on findings at or above the threshold that are not ignored', () => {
    expect(outcomeOf([finding('info')], 'error')).toBe('pass');
    expect(outcomeOf([finding('warning')], 'error')).toBe('pass');
    expect(outcomeOf([finding('warning')], 'warning')).toBe('fail');
    expect(outcomeOf([finding('error', true)], 'error')).toBe('pass');
    expect(outcomeOf([finding('error')], 'error')).toBe('fail');
  });

  it('caps assumed-basis errors at warning against a real target only', () => {
    expect(capForBasis('error', 'assumed', true)).toBe('warning');
    expect(capForBasis('error', 'assumed', false)).toBe('error');
    expect(capForBasis('error', 'spec', true)).toBe('error');
  });

  it('fails the run when any check failed, not when checks were skipped or inconclusive', () => {
    const pillar = (outcome: 'pass' | 'fail' | 'skipped' | 'inconclusive') => ({
      pillar: 'drift' as const,
      startedAt: new Date().toISOString(),
      durationMs: 1,
      requestsSent: 1,
      checks: [{ id: 'x', pillar: 'drift' as const, name: 'x', endpoint: 'e', outcome, durationMs: 1, findings: [] }],
    });
    expect(verdictOf([pillar('pass'), pillar('skipped'), pillar('inconclusive')])).toBe('pass');
    expect(verdictOf([pillar('pass'), pillar('fail')])).toBe('fail');
  });
});

describe('the ledger of a run against the embedded simulator', () => {
  it('records nothing, since the simulator forgets its users on exit', () => {
    const ctx = createRunContext({ target: { url: 'http://127.0.0.1:1', kind: 'simulator' }, outDir: tmpdir() });
    ctx.ledger.record({ event: 'created', endpoint: 'rev-users.create', id: 'A' });
    expect(ctx.ledger.counts()).toEqual({ created: 0, removed: 0 });
    expect(ctx.ledger.file).toBeNull();
  });
});
