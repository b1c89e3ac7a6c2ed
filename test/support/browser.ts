import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { chromium } from 'playwright-core';

/**
 * The headless browser the HTML report test opens index.html in, found rather than
 * assumed: CHROME_PATH first (a path that does not exist is an error, never silently
 * passed over), then the usual Linux and macOS install locations, then playwright-core's
 * own lookup (a browser `npx playwright-core install chromium` downloaded).
 */

export const BROWSER_LOCATIONS: Record<string, string[]> = {
  linux: [
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/lib/chromium/chromium',
    '/snap/bin/chromium',
    '/usr/bin/google-chrome-stable',
    '/usr/bin/google-chrome',
    '/opt/google/chrome/chrome',
  ],
  darwin: [
    '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
    '/Applications/Chromium.app/Contents/MacOS/Chromium',
    `${homedir()}/Applications/Google Chrome.app/Contents/MacOS/Google Chrome`,
    `${homedir()}/Applications/Chromium.app/Contents/MacOS/Chromium`,
  ],
};

export const HEADLESS_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export const NO_BROWSER =
  'no Chromium or Chrome found: install one (Debian/Ubuntu: apt-get install -y chromium; macOS: brew install --cask chromium; ' +
  'anywhere: npx playwright-core install chromium) or set CHROME_PATH to its executable';

export interface BrowserLookup {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  exists?: (path: string) => boolean;
  /** playwright-core's own idea of where its Chromium is (it may not be installed). */
  playwrightPath?: () => string;
}

export interface FoundBrowser {
  path: string;
  from: 'CHROME_PATH' | 'install location' | 'playwright-core';
}

/** The browser to launch, or an Error whose one-line message says how to get one. */
export const findBrowser = (o: BrowserLookup = {}): FoundBrowser | Error => {
  const env = o.env ?? process.env;
  const exists = o.exists ?? existsSync;
  const given = env['CHROME_PATH'];
  if (given) return exists(given) ? { path: given, from: 'CHROME_PATH' } : new Error(`CHROME_PATH=${given} does not exist: ${NO_BROWSER}`);
  for (const path of BROWSER_LOCATIONS[o.platform ?? process.platform] ?? []) if (exists(path)) return { path, from: 'install location' };
  let bundled: string | undefined;
  try {
    bundled = (o.playwrightPath ?? (() => chromium.executablePath()))();
  } catch {
    // playwright-core has no build for this platform: nothing more to try.
  }
  if (bundled && exists(bundled)) return { path: bundled, from: 'playwright-core' };
  return new Error(NO_BROWSER);
};
