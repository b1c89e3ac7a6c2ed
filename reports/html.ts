import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pointerLabel } from '../core/pointer.ts';
import type { CapacityEstimate, CheckResult, RunResults, TimelineBucket } from '../core/results.ts';
import { impactGroups, touchesText } from './impact.ts';
import { comparisonText, estimatedLimitText, estimateText, spendText } from './capacity.ts';
import { type NotRun, outcomeView } from './outcome.ts';
import { buildSummary, caseOf, type SummaryFinding } from './summary.ts';
import { html, scriptJson, valueText } from './text.ts';

/**
 * index.html: one page that opens offline. The tables are rendered here as plain HTML;
 * the charts are drawn in the browser by Chart.js, whose UMD bundle is inlined together
 * with the data (JSON in a <script type="application/json">). A Content-Security-Policy
 * forbids any request, so a page that worked here cannot quietly depend on the network.
 */

let inlineScripts: string | null = null;

// `</script` or `<!--` inside inlined code would end or confuse the element; neither
// appears in Chart.js 4 today, and both are neutralised if a later release has them.
const safeInline = (code: string) => code.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');

const scripts = (): string => {
  if (inlineScripts === null) {
    const require = createRequire(import.meta.url);
    const chartUmd = join(dirname(require.resolve('chart.js')), 'chart.umd.js');
    const page = join(import.meta.dirname, 'page.js');
    inlineScripts = `<script>${safeInline(readFileSync(chartUmd, 'utf8'))}</script>\n<script>${safeInline(readFileSync(page, 'utf8'))}</script>`;
  }
  return inlineScripts;
};

const CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
  :root { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2330; background: #f6f7f9; }
  body { margin: 0 auto; max-width: 1200px; padding: 24px; }
  h1 { margin: 0 0 8px; font-size: 24px; } h2 { margin: 32px 0 8px; font-size: 19px; } h3 { font-size: 16px; margin: 20px 0 6px; }
  .verdict { display: inline-block; padding: 4px 14px; border-radius: 4px; font-weight: 700; color: #fff; letter-spacing: .05em; }
  .verdict.pass { background: #2e7d32; } .verdict.fail { background: #c62828; } .verdict.gaps { background: #b26a00; }
  .facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0; font-size: 14px; }
  .facts dt { color: #5b6475; } .facts dd { margin: 0; }
  table { border-collapse: collapse; width: 100%; background: #fff; font-size: 13px; }
  th, td { border: 1px solid #dde1e7; padding: 4px 8px; text-align: left; vertical-align: top; }
  th { background: #eef0f4; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
  code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: 12px; }
  pre { white-space: pre-wrap; word-break: break-all; margin: 4px 0 0; }
  .sev { font-weight: 600; } .sev.error { color: #c62828; } .sev.warning { color: #b26a00; } .sev.info { color: #1f77b4; }
  tr.ignored td { color: #8a919e; background: #fafafa; } tr.ignored .sev { text-decoration: line-through; }
  .tag { display: inline-block; font-size: 11px; padding: 0 6px; border-radius: 3px; background: #e0e3ea; color: #333; margin-left: 4px; }
  .outcome.pass { color: #2e7d32; } .outcome.fail { color: #c62828; font-weight: 600; } .outcome.skipped, .outcome.inconclusive { color: #8a6d00; }
  .chart { position: relative; height: 260px; background: #fff; border: 1px solid #dde1e7; margin: 8px 0; padding: 8px; }
  .charts { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
  .muted { color: #6b7280; } details { margin: 4px 0; }
`;

const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
const num = (n: number | null | undefined, digits = 2) =>
  n === null || n === undefined ? '—' : Number.isInteger(n) ? String(n) : n.toFixed(digits);

const findingRow = (f: SummaryFinding) => {
  const ignored = f.ignored
    ? `<span class="tag">ignored</span><div class="muted">${html(f.ignored.reason)}${f.ignored.expires ? ` (until ${html(f.ignored.expires)})` : ''}</div>`
    : '';
  const repro = f.reproduction ? `<details><summary>reproduce</summary><pre>${html(f.reproduction)}</pre></details>` : '';
  return `<tr class="finding${f.ignored ? ' ignored' : ''}">
  <td><span class="sev ${f.severity}">${f.severity}</span>${ignored}</td>
  <td>${f.pillar}<div class="muted">${html(f.checkName)}</div></td>
  <td class="case"><code>${html(caseOf(f))}</code></td>
  <td>${html(f.endpoint)}</td><td class="num">${f.status ?? '—'}</td>
  <td><code>${html(f.ruleId)}</code><div class="muted">${f.basis}</div></td>
  <td><code>${html(pointerLabel(f.pointer))}</code></td>
  <td><code>${html(valueText(f.expected))}</code></td><td><code>${html(valueText(f.actual))}</code></td>
  <td>${html(f.message)}${repro}${evidenceBlock(f.evidence)}</td>
</tr>`;
};

/** Docs drift: the changes grouped by what they do to our pact(s), each with the interactions it touches. */
const impactHtml = (findings: SummaryFinding[]): string => {
  const groups = impactGroups(findings);
  if (!groups) return '';
  const list = (f: SummaryFinding) => {
    const touched = f.impact!.pacts.flatMap((p) => p.touches.map((t) => `<li><code>${html(t.interaction)}</code>: ${html(t.how)} <span class="muted">(${html(p.file)})</span></li>`));
    return touched.length ? `<ul>${touched.join('')}</ul>` : `<span class="muted">${html(touchesText(f))}</span>`;
  };
  return `<h2 id="impact">Impact on our contract</h2>
<p>${groups.map((g) => `${html(g.title)}: <strong class="impact-count" data-group="${g.group}">${g.findings.length}</strong>`).join(' · ')}</p>
${groups
  .filter((g) => g.group !== 'not-breaking' && g.findings.length > 0)
  .map(
    (g) => `<h3>${html(g.title)} (${g.findings.length})</h3>
<table class="impact ${g.group}"><tr><th>severity</th><th>rule</th><th>endpoint</th><th>change</th><th>interactions of our pact it touches</th></tr>
${g.findings.map((f) => `<tr${f.ignored ? ' class="ignored"' : ''}><td><span class="sev ${f.severity}">${f.severity}</span>${f.ignored ? '<span class="tag">ignored</span>' : ''}</td><td><code>${html(f.ruleId)}</code></td><td>${html(f.endpoint)}</td><td>${html(f.message)}</td><td>${list(f)}</td></tr>`).join('\n')}
</table>`,
  )
  .join('\n')}`;
};

/** What the provider said: status line, headers and the (redacted, cut) body. */
const evidenceBlock = (e: SummaryFinding['evidence']) => {
  if (!e) return '';
  const head = e.status === null ? 'no answer' : `HTTP ${e.status}`;
  const headers = Object.entries(e.headers).map(([k, v]) => `${k}: ${v}`).join('\n');
  const body = `${e.body}${e.truncated ? '\n(cut)' : ''}`;
  return `<details class="evidence"><summary>answer (${html(head)})</summary><pre>${html([head, headers, '', body].join('\n'))}</pre></details>`;
};

const capacitySection = (cap: CapacityEstimate) => {
  const uncertainty = Object.entries(cap.uncertainty ?? {})
    .map(([k, v]) => `${html(k)} ± ${num(v)}`)
    .join(', ');
  return `<h3>Capacity estimate against what the target advertises</h3>
<table class="capacity">
  <tr><th>estimated from observed responses</th><td>${html(estimateText(cap))}${uncertainty ? ` <span class="muted">(uncertainty: ${uncertainty})</span>` : ''}</td></tr>
  <tr><th>estimated limit</th><td class="num">${html(estimatedLimitText(cap))}</td></tr>
  <tr><th>advertised limit (X-Ratelimit-Limit)</th><td class="num">${num(cap.advertised_limit)}</td></tr>
  <tr><th>comparison</th><td>${html(comparisonText(cap))}</td></tr>
  <tr><th>probe</th><td>${cap.requests_sent} requests over ${num(cap.duration_s)} s</td></tr>
  ${cap.requests_spent !== undefined ? `<tr><th>quota spent against the minimum</th><td class="num">${html(spendText(cap))}</td></tr>` : ''}
</table>`;
};

const recoverySection = (trials: Array<{ advertisedS: number; actualS: number | null }>) =>
  `<h3>Recovery after a 429: advertised against observed wait</h3>
<table class="recovery"><tr><th>trial</th><th class="num">advertised (s)</th><th class="num">observed (s)</th></tr>
${trials.map((t, i) => `<tr><td>${i + 1}</td><td class="num">${num(t.advertisedS)}</td><td class="num">${t.actualS === null ? 'did not recover' : num(t.actualS)}</td></tr>`).join('\n')}
</table>`;

interface Phase {
  index: number;
  name: string;
  buckets: TimelineBucket[];
}

const checksList = (checks: CheckResult[]) =>
  `<table class="checks"><tr><th>check</th><th>endpoint</th><th>outcome</th><th class="num">findings</th><th class="num">time</th></tr>
${checks
  .map(
    (c) =>
      `<tr><td>${html(c.name)} <span class="muted">${html(c.id)}</span>${c.reason ? `<div class="muted">${html(c.reason)}</div>` : ''}</td><td>${html(c.endpoint)}</td><td class="outcome ${c.outcome}">${c.outcome}</td><td class="num">${c.findings.length}</td><td class="num">${ms(c.durationMs)}</td></tr>`,
  )
  .join('\n')}
</table>`;

/** What did not run to a verdict and what the run left on the target: nothing of a gap is hidden. */
const gapsHtml = (rows: NotRun[], results: RunResults): string => {
  const left = results.records.left ?? [];
  if (rows.length === 0 && results.records.remaining === 0) return '';
  const parts: string[] = [];
  if (rows.length > 0) {
    parts.push(`<h2 id="not-run">Did not run to a verdict (${rows.length})</h2>
<table class="not-run"><tr><th>outcome</th><th>pillar</th><th>check</th><th>endpoint</th><th>reason</th></tr>
${rows.map((r) => `<tr><td class="outcome ${r.outcome}">${r.outcome}</td><td>${r.pillar}</td><td>${html(r.name)}</td><td>${html(r.endpoint)}</td><td>${html(r.reason)}</td></tr>`).join('\n')}
</table>`);
  }
  if (results.records.remaining > 0) {
    parts.push(`<h2 id="records-left">Records left on the target (${results.records.remaining})</h2>
<table class="records-left"><tr><th>endpoint</th><th>record</th><th>why it is still there</th></tr>
${left.map((r) => `<tr><td>${html(r.endpoint)}</td><td><code>${html(r.displayId ?? r.id)}</code></td><td>${html(r.why)}</td></tr>`).join('\n')}
</table>`);
  }
  return `${parts.join('\n')}\n`;
};

export const renderHtml = (results: RunResults): string => {
  const s = buildSummary(results);
  const phases: Phase[] = [];
  const classCounts: Array<[string, number]> = [];
  const capacities: CapacityEstimate[] = [];
  const recovery: Array<{ advertisedS: number; actualS: number | null }> = [];
  let seed: number | undefined;
  const timelinePillars = results.pillars.filter((p) => p.data?.timelines && Object.keys(p.data.timelines).length > 0);
  for (const p of results.pillars) {
    const d = p.data;
    if (!d) continue;
    for (const [name, buckets] of Object.entries(d.timelines ?? {})) {
      phases.push({ index: phases.length, name: timelinePillars.length > 1 ? `${p.pillar} ${name}` : name, buckets });
    }
    for (const [name, n] of Object.entries(d.classCounts ?? {})) classCounts.push([name, n]);
    if (d.capacity) capacities.push(d.capacity);
    if (d.recovery) recovery.push(...d.recovery);
    if (d.seed !== undefined && p.pillar === 'properties') seed = d.seed;
  }
  classCounts.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const classTotal = classCounts.reduce((n, [, c]) => n + c, 0);

  const view = outcomeView(results);
  const verdictClass = view.outcome !== 'passed' ? 'fail' : view.label === 'PASS' ? 'pass' : 'gaps';
  const facts: Array<[string, string]> = [
    ['outcome', `<strong id="outcome">${html(view.outcome)}</strong> (exit ${view.exitCode}): ${html(view.why)}`],
    ['target', `${html(s.target.url)} <span class="muted">(${s.target.kind})</span>`],
    ['run', `${html(s.runId)}, started ${html(s.startedAt)}, took ${ms(s.durationMs)}${s.interrupted ? ' — <strong>interrupted</strong>' : ''}`],
    ...(s.error ? ([['stopped early', `<strong>${html(s.error)}</strong>`]] as Array<[string, string]>) : []),
    ['requests', `${s.requests.sent} sent (budget ${s.requests.budget})`],
    ['records', `${s.records.created} created, ${s.records.removed} removed, ${s.records.remaining} remaining`],
    ['checks', `${s.totals.checks.total}: ${s.totals.checks.pass} passed, ${s.totals.checks.fail} failed, ${s.totals.checks.skipped} skipped, ${s.totals.checks.inconclusive} inconclusive`],
    ['findings', `${s.totals.findings.error} errors, ${s.totals.findings.warning} warnings, ${s.totals.findings.info} info, ${s.totals.findings.ignored} ignored; run fails on ${s.failOn}`],
    ['documented surface', `${html(s.pinned.source)} at ${html(s.pinned.commit)} (${html(s.pinned.date)})`],
  ];

  const loadHtml =
    phases.length === 0 && capacities.length === 0 && recovery.length === 0
      ? '<p class="muted">No load data in this run (the load pillar did not run).</p>'
      : [
          ...capacities.map(capacitySection),
          recovery.length > 0 ? recoverySection(recovery) : '',
          ...phases.map(
            (ph) => `<h3>Load timeline: ${html(ph.name)} <span class="muted">(${ph.buckets.length} intervals of 100 ms)</span></h3>
<div class="charts">
  <div class="chart"><canvas id="status-${ph.index}" aria-label="${html(ph.name)}: 2xx and 429 per interval"></canvas></div>
  <div class="chart"><canvas id="latency-${ph.index}" aria-label="${html(ph.name)}: latency percentiles"></canvas></div>
</div>`,
          ),
        ].join('\n');

  const propertiesHtml =
    classCounts.length === 0
      ? '<p class="muted">No property class counts in this run (the properties pillar did not run).</p>'
      : `<p>${classTotal} generated cases over ${classCounts.length} classes${seed !== undefined ? `, seed <code>${seed}</code> (replay with <code>devrev-gate properties --seed ${seed}</code>)` : ''}.</p>
<div class="chart" style="height:${Math.max(160, 26 * classCounts.length + 60)}px"><canvas id="class-coverage" aria-label="property class coverage"></canvas></div>
<details${classCounts.length <= 12 ? ' open' : ''}><summary>cases per class, as a table</summary>
<table class="classes"><tr><th>class</th><th class="num">cases</th><th class="num">share</th></tr>
${classCounts.map(([name, n]) => `<tr><td>${html(name)}</td><td class="num">${n}</td><td class="num">${classTotal ? ((n / classTotal) * 100).toFixed(1) : '0'} %</td></tr>`).join('\n')}
</table></details>`;

  const chartData = {
    verdict: s.verdict,
    timelines: phases,
    classCounts,
  };

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>devrev-gate: ${html(view.label)} — ${html(s.target.url)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>devrev-gate report <span class="verdict ${verdictClass}" id="verdict">${html(view.label)}</span></h1>
<dl class="facts">${facts.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
</header>

<h2>Pillars</h2>
<table class="pillars"><tr><th>pillar</th><th class="num">checks</th><th class="num">passed</th><th class="num">failed</th><th class="num">skipped</th><th class="num">inconclusive</th><th class="num">errors</th><th class="num">warnings</th><th class="num">ignored</th><th class="num">requests</th><th class="num">time</th></tr>
${s.pillars.map((p) => `<tr><td>${p.pillar}</td><td class="num">${p.checks.total}</td><td class="num">${p.checks.pass}</td><td class="num">${p.checks.fail}</td><td class="num">${p.checks.skipped}</td><td class="num">${p.checks.inconclusive}</td><td class="num">${p.findings.error}</td><td class="num">${p.findings.warning}</td><td class="num">${p.findings.ignored}</td><td class="num">${p.requestsSent}</td><td class="num">${ms(p.durationMs)}</td></tr>`).join('\n')}
</table>

${impactHtml(s.findings)}
<h2 id="findings">Findings (${s.findings.length})</h2>
${
  s.findings.length === 0
    ? '<p>No findings.</p>'
    : `<table class="findings"><tr><th>severity</th><th>pillar / check</th><th>case</th><th>endpoint</th><th class="num">status</th><th>rule</th><th>pointer</th><th>expected</th><th>actual</th><th>message</th></tr>
${s.findings.map(findingRow).join('\n')}
</table>`
}

${gapsHtml(s.notRun, results)}
<h2 id="load">Rate limit and load</h2>
${loadHtml}

<h2 id="properties">Property class coverage</h2>
${propertiesHtml}

<h2 id="checks">Checks</h2>
${results.pillars.map((p) => `<details${p.checks.some((c) => c.outcome === 'fail') ? ' open' : ''}><summary>${p.pillar}: ${p.checks.length} checks</summary>${checksList(p.checks)}</details>`).join('\n')}

<footer class="muted"><p>${html(s.tool.name)} ${html(s.tool.version)} · results schema ${results.schemaVersion} · rendered offline; charts by Chart.js</p></footer>
<script type="application/json" id="report-data">${scriptJson(chartData)}</script>
${scripts()}
</body>
</html>
`;
};
