import { describe, expect, it } from 'vitest';
import type { Finding } from '../../core/results.ts';
import { WHOLE_BODY } from '../../core/pointer.ts';
import { renderDriftTable } from '../../drift/table.ts';
import { renderHtml } from '../../reports/html.ts';
import { renderJunit } from '../../reports/junit.ts';
import { MD_FINDINGS_CAP, renderMarkdown } from '../../reports/markdown.ts';
import { cleanPassResults, everyPillarResults, NASTY, passingResults, syntheticResults } from './fixture.ts';

// GFM splits table rows on pipes that are not escaped with a backslash.
const cells = (row: string) => row.replace(/\\\\/g, '').split(/(?<!\\)\|/).slice(1, -1);

describe('summary.md', () => {
  it('opens with the verdict and lists one row per pillar', () => {
    const md = renderMarkdown(syntheticResults());
    expect(md.split('\n')[0]).toBe('## ❌ devrev-gate: FAIL');
    expect(md).toMatch(/\| drift \| 4 \| 1 \| 1 \| 1 \| 1 \| 2 \| 1 \| 1 \| 512 ms \|/);
    expect(renderMarkdown(cleanPassResults()).split('\n')[0]).toBe('## ✅ devrev-gate: PASS');
    // A pass that left checks undone never reads like a clean one.
    expect(renderMarkdown(passingResults()).split('\n')[0]).toBe('## ⚠️ devrev-gate: PASS with gaps (1 skipped, 1 inconclusive)');
  });

  it('lists what did not run, with reasons, and the records left on the target', () => {
    const r = passingResults();
    r.records = { created: 3, removed: 1, remaining: 2, left: [
      { endpoint: 'dev-users.create', id: 'don:identity:dvrv-us-1:devo/1:devu/7', displayId: 'DEVU-7', why: 'DevRev documents no delete for dev users; deactivated instead' },
      { endpoint: 'rev-users.create', id: 'don:identity:dvrv-us-1:devo/1:revu/9', why: 'rev-users.delete answered 500' },
    ] };
    const md = renderMarkdown(r);
    expect(md.split('\n')[0]).toBe('## ⚠️ devrev-gate: PASS with gaps (1 skipped, 1 inconclusive, 2 records left)');
    expect(md).toContain('### Did not run to a verdict (2)');
    expect(md).toMatch(/\| skipped \| drift \| .* \| needs the simulator's throttle route/);
    expect(md).toMatch(/\| inconclusive \| drift \| .* \| 429 after 3 retries/);
    expect(md).toContain('### Records left on the target (2)');
    expect(md).toContain('| dev-users.create | DEVU-7 | DevRev documents no delete for dev users; deactivated instead |');
    expect(md).toContain('rev-users.delete answered 500');
    expect(renderMarkdown(cleanPassResults())).not.toContain('Did not run');
  });

  it('keeps every table row at its column count, whatever pipes and line breaks the findings hold', () => {
    const md = renderMarkdown(syntheticResults());
    const header = md.split('\n').find((l) => l.startsWith('| severity'))!;
    const width = cells(header).length;
    const lines = md.split('\n');
    const start = lines.indexOf(header) + 2;
    const findingRows = lines.slice(start, lines.indexOf('', start));
    expect(findingRows).toHaveLength(4);
    for (const row of findingRows) expect(cells(row), row).toHaveLength(width);
    expect(md).not.toContain('<script>');
    expect(md).toContain('a \\| b \\|\\| c');
    expect(md).toContain('~~info~~ ignored');
    expect(md).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
    expect(md).not.toContain(NASTY.lines);
  });

  it('caps the findings table and points to the full reports', () => {
    const r = syntheticResults();
    const template = r.pillars[1]!.checks[0]!.findings[0]!;
    r.pillars[1]!.checks[0]!.findings = Array.from({ length: MD_FINDINGS_CAP + 7 }, (_, i): Finding => ({ ...template, ruleId: `rule-${i}` }));
    const md = renderMarkdown(r);
    expect(md.split('\n').filter((l) => l.startsWith('| error |'))).toHaveLength(MD_FINDINGS_CAP);
    const total = r.pillars.flatMap((p) => p.checks.flatMap((c) => c.findings)).length;
    expect(total).toBe(MD_FINDINGS_CAP + 7 + 1);
    expect(md).toContain(`…and ${total - MD_FINDINGS_CAP} more: see summary.json or index.html.`);
  });
});

describe('one vocabulary across the reports', () => {
  it('names the case that produced each finding, falling back to its check', () => {
    const md = renderMarkdown(everyPillarResults());
    const header = md.split('\n').find((l) => l.startsWith('| severity'))!;
    const col = cells(header).map((c) => c.trim()).indexOf('case');
    expect(col).toBe(2);
    const rows = md.split('\n').filter((l) => /^\| (~~)?(error|warning|info)/.test(l)).map((r) => cells(r).map((c) => c.trim()));
    const cases = rows.map((r) => r[col]);
    expect(cases).toContain('raw-bytes');
    expect(cases).toContain('rev-users.create 201 full request');
    expect(cases).toContain('drift.dev-users.create.no-token');
  });

  it('calls the whole-body pointer by one name in the terminal table, Markdown, HTML and JUnit', () => {
    const r = everyPillarResults();
    const outputs = {
      terminal: renderDriftTable(r.pillars.find((p) => p.pillar === 'drift')!),
      markdown: renderMarkdown(r),
      html: renderHtml(r),
      junit: renderJunit(r),
    };
    for (const [name, text] of Object.entries(outputs)) {
      expect(text, name).toContain(WHOLE_BODY);
      expect(text, name).not.toMatch(/\((body|document|whole document)\)/);
    }
  });
});
