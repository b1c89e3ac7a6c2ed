import { describe, expect, it } from 'vitest';
import { evidenceOf } from '../../core/evidence.ts';
import { Redactor } from '../../core/redact.ts';
import { renderHtml } from '../../reports/html.ts';
import { buildSummary } from '../../reports/summary.ts';
import { driftPillar, syntheticResults } from './fixture.ts';

/** Each finding keeps the answer it judged; the reports show it, redacted and cut. */
const TOKEN = 'evidence-secret-token';

const withEvidence = () => {
  const pillar = driftPillar();
  const finding = pillar.checks.flatMap((c) => c.findings)[0]!;
  finding.evidence = evidenceOf(
    {
      status: 201,
      headers: { 'content-type': 'application/json', 'set-cookie': 'sid=abc', 'x-echo': `token ${TOKEN}` },
      text: JSON.stringify({ rev_user: { display_name: 'Ada', note: `sent ${TOKEN}` }, pad: 'x'.repeat(5000) }),
    },
    new Redactor([TOKEN]),
  );
  return syntheticResults([pillar]);
};

describe('evidence of a finding', () => {
  it('is redacted and cut at a few kB', () => {
    const e = withEvidence().pillars[0]!.checks.flatMap((c) => c.findings)[0]!.evidence!;
    expect(e.status).toBe(201);
    expect(e.truncated).toBe(true);
    expect(e.body.length).toBeLessThan(2100);
    expect(JSON.stringify(e)).not.toContain(TOKEN);
    expect(e.headers['set-cookie']).toBe('[REDACTED]');
  });

  it('is in summary.json and in the HTML report beside the finding', () => {
    const results = withEvidence();
    const f = buildSummary(results).findings.find((x) => x.evidence)!;
    expect(f.evidence?.status).toBe(201);
    const page = renderHtml(results);
    expect(page).toContain('answer (HTTP 201)');
    expect(page).toContain('content-type: application/json');
    expect(page).toContain('&quot;display_name&quot;:&quot;Ada&quot;');
    expect(page).not.toContain(TOKEN);
  });
});
