import { isIP } from 'node:net';
import { UsageError } from './errors.ts';

/**
 * Where the checks go. `simulator` is the embedded one this process started; `loopback` is
 * any other provider on this machine; `remote` is everything else, which load pillars
 * refuse without --allow-remote and which runs under a small request budget.
 */
export type TargetKind = 'simulator' | 'loopback' | 'remote';

export interface Target {
  /** Base URL without a trailing slash. */
  url: string;
  kind: TargetKind;
}

export const isLoopbackHost = (hostname: string): boolean => {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.split('.')[0] === '127';
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(host);
  return false;
};

/** Parses a --target value; names the option and the fix when it is not a usable URL. */
export const parseTarget = (raw: string, kind?: TargetKind): Target => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--target ${JSON.stringify(raw)} is not a URL`, 'give a base URL such as https://api.devrev.ai');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--target must be http or https, not ${url.protocol.replace(':', '')}`, 'use e.g. https://api.devrev.ai');
  }
  if (url.username || url.password) {
    throw new UsageError('--target must not carry credentials', 'pass the token with --token or DEVREV_TOKEN');
  }
  if (url.search || url.hash) {
    throw new UsageError('--target must not have a query or fragment', 'give only the base URL');
  }
  const base = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  return { url: base, kind: kind ?? (isLoopbackHost(url.hostname) ? 'loopback' : 'remote') };
};
