import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResults } from '../core/results.ts';
import { renderCtrf } from './ctrf.ts';
import { renderHtml } from './html.ts';
import { renderJunit } from './junit.ts';
import { renderMarkdown } from './markdown.ts';
import { renderSarif } from './sarif.ts';
import { renderSummaryJson } from './summary.ts';

/**
 * The report writers. Each turns RunResults (already redacted) into one file and knows
 * nothing of how the results were produced, so a session and `report --from` draw the
 * same reports from the same data.
 */

export const REPORT_FILES = {
  summary: 'summary.json',
  junit: 'junit.xml',
  markdown: 'summary.md',
  html: 'index.html',
  sarif: 'results.sarif',
  ctrf: 'ctrf.json',
} as const;

const writers: Array<[string, (r: RunResults) => string]> = [
  [REPORT_FILES.summary, renderSummaryJson],
  [REPORT_FILES.junit, renderJunit],
  [REPORT_FILES.markdown, renderMarkdown],
  [REPORT_FILES.html, renderHtml],
  [REPORT_FILES.sarif, renderSarif],
  [REPORT_FILES.ctrf, renderCtrf],
];

/** Writes every report into outDir and returns the paths written. */
export const writeReports = async (results: RunResults, outDir: string): Promise<string[]> => {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const [name, render] of writers) {
    const file = join(outDir, name);
    // Written whole, then renamed: a reader (a CI upload, a browser) never sees half a file.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, render(results));
    renameSync(tmp, file);
    written.push(file);
  }
  return written;
};
