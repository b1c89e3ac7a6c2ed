import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORT_FILES, writeReports } from '../../reports/index.ts';
import { findBrowser, HEADLESS_ARGS } from '../support/browser.ts';
import { CLASS_COUNTS, NASTY, NASTY_POINTER, passingResults, syntheticResults, TIMELINES } from './fixture.ts';

// index.html as a person sees it: opened from disk in a headless Chromium or Chrome
// (found by test/support/browser.ts), no network. The screenshot lands beside the reports
// in reports/selftest/report/.

const OUT = resolve(import.meta.dirname, '../../reports/selftest/report');
const SCREENSHOT = join(OUT, 'index.png');

let browser: Browser;

beforeAll(async () => {
  // Not a skip: a gate whose HTML report is untested must not look green.
  const found = findBrowser();
  if (found instanceof Error) throw found;
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  await writeReports(syntheticResults(), OUT);
  browser = await chromium.launch({ executablePath: found.path, args: HEADLESS_ARGS });
});
afterAll(async () => {
  await browser?.close();
});

interface Opened {
  page: Page;
  problems: string[];
  requests: string[];
}

const open = async (dir: string): Promise<Opened> => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('dialog', (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => requests.push(r.url()));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  const url = pathToFileURL(join(dir, REPORT_FILES.html)).href;
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems, requests };
};

interface CanvasState {
  id: string;
  chartType: string | null;
  /** drawn: elements Chart.js laid out; colourPixels: plot-area pixels painted in the dataset's own colour. */
  datasets: Array<{ label: string; points: number; drawn: number; sum: number; colourPixels: number }>;
  inkPixels: number;
  width: number;
  height: number;
}

/** What Chart.js holds and what it painted, per canvas. */
const canvases = (page: Page) =>
  page.evaluate(() => {
    const Chart = (window as unknown as { Chart: { getChart(c: HTMLCanvasElement): unknown } }).Chart;
    return Array.from(document.querySelectorAll('canvas')).map((canvas) => {
      const chart = Chart.getChart(canvas) as
        | {
            config: { type: string };
            data: { datasets: Array<{ label: string; data: Array<number | null>; borderColor?: string; backgroundColor?: string }> };
            getDatasetMeta(i: number): { data: unknown[] };
            chartArea: { left: number; top: number; right: number; bottom: number };
          }
        | undefined;
      const ctx = canvas.getContext('2d')!;
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let ink = 0;
      // A pixel with any opacity: the canvas starts fully transparent.
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) ink++;
      const paintedIn = (hex: string | undefined) => {
        if (!hex || !/^#[0-9a-f]{6}$/i.test(hex)) return 0;
        const rgb = [1, 3, 5].map((k) => Number.parseInt(hex.slice(k, k + 2), 16));
        let n = 0;
        // Only inside the plot area, where the legend's swatches are not.
        const area = chart!.chartArea;
        const scale = canvas.width / canvas.clientWidth;
        for (let i = 0; i < data.length; i += 4) {
          const x = ((i / 4) % canvas.width) / scale;
          const y = Math.floor(i / 4 / canvas.width) / scale;
          if (x < area.left || x > area.right || y < area.top || y > area.bottom) continue;
          if (data[i + 3]! > 200 && Math.abs(data[i]! - rgb[0]!) < 10 && Math.abs(data[i + 1]! - rgb[1]!) < 10 && Math.abs(data[i + 2]! - rgb[2]!) < 10) n++;
        }
        return n;
      };
      return {
        id: canvas.id,
        chartType: chart ? chart.config.type : null,
        datasets: chart
          ? chart.data.datasets.map((d, i) => ({
              label: d.label,
              points: d.data.length,
              drawn: chart.getDatasetMeta(i).data.length,
              sum: d.data.reduce<number>((n, v) => n + (v ?? 0), 0),
              colourPixels: paintedIn(chart.config.type === 'line' ? d.borderColor : d.backgroundColor),
            }))
          : [],
        inkPixels: ink,
        width: canvas.width,
        height: canvas.height,
      };
    });
  }) as Promise<CanvasState[]>;

describe('index.html in headless Chromium', () => {
  it('opens offline without errors and draws the load timeline and class coverage from the data', async () => {
    const { page, problems, requests } = await open(OUT);
    try {
      const states = await canvases(page);
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      process.stdout.write(`report screenshot: ${SCREENSHOT}\n`);

      expect(problems).toEqual([]);
      // The page itself is the only thing loaded: no CDN, no font, no image fetch.
      expect(requests).toEqual([pathToFileURL(join(OUT, REPORT_FILES.html)).href]);
      expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();

      const phases = Object.entries(TIMELINES);
      expect(states.map((s) => s.id).sort()).toEqual(
        [...phases.flatMap((_, i) => [`status-${i}`, `latency-${i}`]), 'class-coverage'].sort(),
      );
      for (const [i, [, buckets]] of phases.entries()) {
        const status = states.find((s) => s.id === `status-${i}`)!;
        expect(status.chartType).toBe('bar');
        const s2xx = status.datasets.find((d) => d.label === '2xx')!;
        const s429 = status.datasets.find((d) => d.label === '429')!;
        expect(s2xx.sum).toBe(buckets.reduce((n, b) => n + b.s2xx, 0));
        expect(s429.sum).toBe(buckets.reduce((n, b) => n + b.s429, 0));
        expect(s429.sum).toBeGreaterThan(0);
        for (const d of status.datasets) expect(d.drawn).toBe(buckets.length);

        const latency = states.find((s) => s.id === `latency-${i}`)!;
        expect(latency.chartType).toBe('line');
        expect(latency.datasets.map((d) => d.label)).toEqual(['p50', 'p90', 'p99']);
        for (const d of latency.datasets) {
          expect(d.drawn).toBe(buckets.length);
          expect(d.sum).toBeGreaterThan(0);
        }
      }
      const classes = states.find((s) => s.id === 'class-coverage')!;
      expect(classes.datasets[0]!.sum).toBe(Object.values(CLASS_COUNTS).reduce((a, b) => a + b, 0));
      expect(classes.datasets[0]!.drawn).toBe(Object.keys(CLASS_COUNTS).length);
      // Painted, not just configured: each series with data shows in its own colour
      // inside the plot area, and each canvas carries ink.
      for (const s of states) {
        expect(s.inkPixels / (s.width * s.height), s.id).toBeGreaterThan(0.02);
        for (const d of s.datasets.filter((x) => x.sum > 0)) expect(d.colourPixels, `${s.id} ${d.label}`).toBeGreaterThan(50);
      }
    } finally {
      await page.close();
    }
  });

  it('shows the verdict, every finding with the ignored one marked, coverage and the capacity against the advertised limit', async () => {
    const { page, problems } = await open(OUT);
    try {
      expect(problems).toEqual([]);
      expect(await page.locator('#verdict').textContent()).toBe('FAIL');
      const rows = page.locator('table.findings tr.finding');
      expect(await rows.count()).toBe(4);
      expect(await page.locator('table.findings tr.finding.ignored').count()).toBe(1);
      expect(await page.locator('table.findings tr.finding.ignored').textContent()).toContain('known legacy field');
      const findingsText = await page.locator('table.findings').textContent();
      // Hostile text is shown as text, not run as markup.
      expect(findingsText).toContain(NASTY.script);
      expect(findingsText).toContain(NASTY_POINTER);
      expect(findingsText).toContain('response.type-changed');
      // Each row names the case that produced it (the check, where the pillar names none).
      expect(await page.locator('table.findings tr.finding td.case').allTextContents()).toContain('drift.dev-users.create.no-token');
      expect(findingsText).toContain('bell\\u0007 nul\\u0000 esc\\u001b[31m');
      const capacity = await page.locator('table.capacity').textContent();
      expect(capacity).toContain('fixed window: 20 requests per 1 s');
      expect(capacity).toContain('the target advertises 25, 20 observed (80 % of it)');
      const classes = await page.locator('table.classes').textContent();
      for (const name of Object.keys(CLASS_COUNTS)) expect(classes).toContain(name);
      expect(await page.locator('table.recovery tr').count()).toBe(4);
      expect(await page.locator('table.recovery').textContent()).toContain('did not recover');
    } finally {
      await page.close();
    }
  });

  it('renders a run without load or properties data as text, with no chart and no error', async () => {
    const dir = join(OUT, 'no-load');
    const r = passingResults();
    r.pillars = r.pillars.filter((p) => p.pillar === 'contracts' || p.pillar === 'drift');
    await writeReports(r, dir);
    expect(readFileSync(join(dir, REPORT_FILES.html), 'utf8')).not.toContain('<canvas');
    const { page, problems } = await open(dir);
    try {
      expect(problems).toEqual([]);
      expect(await page.locator('#verdict').textContent()).toBe('PASS with gaps');
      expect(await page.locator('#not-run').textContent()).toBe('Did not run to a verdict (2)');
      expect(await page.locator('#load + p').textContent()).toContain('No load data');
    } finally {
      await page.close();
    }
  });
});
