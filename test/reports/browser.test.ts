import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { BROWSER_LOCATIONS, findBrowser, HEADLESS_ARGS, NO_BROWSER } from '../support/browser.ts';

// The HTML report test's browser lookup: CHROME_PATH, then the usual install locations,
// then playwright-core's own; with none, one line saying how to install one.

const only = (...present: string[]) => (p: string) => present.includes(p);

describe('finding a browser for the HTML report test', () => {
  it('launches the executable CHROME_PATH names (a stub that records the call, then hands over to a real browser)', async () => {
    const real = findBrowser({ env: {} });
    if (real instanceof Error) throw real;
    const dir = mkdtempSync(join(tmpdir(), 'dg-browser-'));
    const calls = join(dir, 'calls.txt');
    const stub = join(dir, 'chrome-stub');
    writeFileSync(stub, `#!/bin/sh\nprintf '%s\\n' "$*" >> ${JSON.stringify(calls)}\nexec ${JSON.stringify(real.path)} "$@"\n`);
    chmodSync(stub, 0o755);

    const found = findBrowser({ env: { CHROME_PATH: stub } });
    expect(found).toEqual({ path: stub, from: 'CHROME_PATH' });
    if (found instanceof Error) throw found;
    const browser = await chromium.launch({ executablePath: found.path, args: HEADLESS_ARGS });
    try {
      const page = await browser.newPage();
      await page.setContent('<p id="x">drawn</p>');
      expect(await page.locator('#x').textContent()).toBe('drawn');
    } finally {
      await browser.close();
    }
    expect(existsSync(calls)).toBe(true);
    expect(readFileSync(calls, 'utf8')).toContain('--headless');
  });

  it('says in one line how to install a browser when CHROME_PATH names nothing, instead of passing it over', () => {
    const found = findBrowser({ env: { CHROME_PATH: '/nowhere/chrome' }, exists: only('/usr/bin/chromium') });
    expect(found).toBeInstanceOf(Error);
    expect((found as Error).message).toBe(`CHROME_PATH=/nowhere/chrome does not exist: ${NO_BROWSER}`);
  });

  it('tries the usual Linux and macOS locations in order, then playwright-core, then gives the one-line advice', () => {
    expect(findBrowser({ env: {}, platform: 'linux', exists: only('/usr/bin/google-chrome', '/pw/chrome'), playwrightPath: () => '/pw/chrome' })).toEqual({
      path: '/usr/bin/google-chrome',
      from: 'install location',
    });
    const mac = BROWSER_LOCATIONS['darwin']![1]!;
    expect(findBrowser({ env: {}, platform: 'darwin', exists: only(mac) })).toEqual({ path: mac, from: 'install location' });
    expect(findBrowser({ env: {}, platform: 'linux', exists: only('/pw/chrome'), playwrightPath: () => '/pw/chrome' })).toEqual({
      path: '/pw/chrome',
      from: 'playwright-core',
    });
    const none = findBrowser({ env: {}, platform: 'linux', exists: () => false, playwrightPath: () => '/pw/chrome' });
    expect(none).toBeInstanceOf(Error);
    expect((none as Error).message).toBe(NO_BROWSER);
    expect(NO_BROWSER).not.toContain('\n');
    expect(NO_BROWSER).toContain('apt-get install -y chromium');
  });
});
