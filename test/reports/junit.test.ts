import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import type { RunResults } from '../../core/results.ts';
import { renderJunit } from '../../reports/junit.ts';
import { NASTY, NASTY_POINTER, passingResults, syntheticResults } from './fixture.ts';

type Node = Record<string, unknown>;
const list = (x: unknown): Node[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]) as Node[];

const parse = (xml: string) => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseAttributeValue: false, trimValues: false, processEntities: true, htmlEntities: false });
  return parser.parse(xml) as { testsuites: Node };
};

const checksOf = (r: RunResults) => r.pillars.flatMap((p) => p.checks);

// Characters XML 1.0 forbids even as references; a consumer's parser stops at the first one.
const XML_FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('junit.xml', () => {
  const results = syntheticResults();
  const xml = renderJunit(results);

  it('is well-formed XML without a character XML 1.0 forbids, even with hostile finding text', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(XML_FORBIDDEN.test(xml)).toBe(false);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ')).toBe(true);
  });

  it('has one testsuite per pillar and one testcase per check per endpoint, then the run, with counts that add up', () => {
    const root = parse(xml).testsuites;
    const all = list(root['testsuite']);
    expect(all.map((s) => s['@name'])).toEqual([...results.pillars.map((p) => p.pillar), 'run']);
    const suites = all.slice(0, -1);
    let tests = 0;
    let failures = 0;
    let skipped = 0;
    for (const [i, suite] of suites.entries()) {
      const cases = list(suite['testcase']);
      const pillar = results.pillars[i]!;
      expect(cases).toHaveLength(pillar.checks.length);
      expect(Number(suite['@tests'])).toBe(cases.length);
      expect(Number(suite['@failures'])).toBe(cases.filter((c) => c['failure'] !== undefined).length);
      expect(Number(suite['@skipped'])).toBe(cases.filter((c) => c['skipped'] !== undefined).length);
      expect(Number(suite['@errors'])).toBe(0);
      for (const [j, c] of cases.entries()) expect(c['@classname']).toBe(`devrev-gate.${pillar.pillar}.${pillar.checks[j]!.endpoint}`);
      tests += cases.length;
      failures += Number(suite['@failures']);
      skipped += Number(suite['@skipped']);
    }
    // The run's own testcase carries its outcome: a failed run adds one failure.
    const run = all.at(-1)!;
    expect(list(run['testcase'])).toHaveLength(1);
    expect(list(run['testcase'])[0]!['failure']).toBeDefined();
    expect(Number(root['@tests'])).toBe(tests + 1);
    expect(Number(root['@failures'])).toBe(failures + 1);
    expect(Number(root['@skipped'])).toBe(skipped);
    expect(tests).toBe(checksOf(results).length);
    expect(failures).toBe(checksOf(results).filter((c) => c.outcome === 'fail').length);
    expect(skipped).toBe(checksOf(results).filter((c) => c.outcome === 'skipped' || c.outcome === 'inconclusive').length);
  });

  it('carries every finding of a failed check in its failure, text intact after parsing', () => {
    const drift = list(parse(xml).testsuites['testsuite']).find((s) => s['@name'] === 'drift')!;
    const failed = list(drift['testcase']).find((c) => c['failure'] !== undefined)!;
    const failure = failed['failure'] as Node;
    expect(failure['@type']).toBe('response.required-missing');
    expect(String(failure['@message'])).toContain(NASTY.script);
    const body = String(failure['#text']);
    for (const rule of ['response.required-missing', 'response.type-changed', 'response.additional-property'])
      expect(body).toContain(rule);
    expect(body).toContain(NASTY_POINTER);
    expect(body).toContain(NASTY.pipes);
    expect(body).toContain(NASTY.quotes);
    expect(body).toContain(NASTY.cdata);
    expect(body).toContain(NASTY.comment);
    // Control characters survive as visible escapes rather than breaking the file.
    expect(body).toContain('bell\\u0007 nul\\u0000 esc\\u001b[31m vt\\u000b ff\\u000c end');
    expect(body).toContain('lone \\ud800 high, lone \\udc00 low, pair 😀');
    expect(body).toContain('ignored: known legacy field');
    expect(body).toContain("-H 'Authorization: Bearer [REDACTED]'");
  });

  it('marks skipped and inconclusive checks as skipped with their reason, and keeps warnings of passing checks in system-out', () => {
    const drift = list(parse(xml).testsuites['testsuite']).find((s) => s['@name'] === 'drift')!;
    const cases = list(drift['testcase']);
    const byName = (part: string) => cases.find((c) => String(c['@name']).includes(part))!;
    expect((byName('throttled')['skipped'] as Node)['@message']).toBe('needs the simulator\'s throttle route & a "real" target has none');
    expect(String((byName('taken-external-ref')['skipped'] as Node)['@message'])).toMatch(/^inconclusive: 429 after 3 retries </);
    const noToken = byName('no-token');
    expect(noToken['failure']).toBeUndefined();
    expect(String(noToken['system-out'])).toContain('WARNING headers.ratelimit-missing');
  });

  it('has no failures at all for a passing run, and says what a pass with gaps left undone', () => {
    const root = parse(renderJunit(passingResults())).testsuites;
    expect(root['@failures']).toBe('0');
    expect(root['@errors']).toBe('0');
    const run = list(root['testsuite']).at(-1)!;
    const outcome = list(run['testcase'])[0]!;
    expect(outcome['@name']).toBe('run outcome: PASS with gaps (1 skipped, 1 inconclusive)');
    expect(String(outcome['system-out'])).toContain('1 skipped, 1 inconclusive');
  });
});
