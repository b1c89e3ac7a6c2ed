import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { endpointModels } from '../../api-model/endpoints/index.ts';

// Pillars loop over the model's endpoints; none names one. What counts as naming is derived
// from the model: every endpoint's name, path, envelope key and spec constant, and its
// cleanup call's. The SDK's own call per endpoint (contracts/pact/consumer.ts) is the one
// place a pillar may, like the simulator's handlers: it is the client, not a check.

const ROOT = resolve(import.meta.dirname, '../..');
const PILLARS = ['contracts', 'drift', 'properties', 'load', 'cleanup'];
const ALLOWED = new Set(['contracts/pact/consumer.ts']);

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : name.endsWith('.ts') ? [path] : [];
  });

/** The code without its comments: a comment may say which endpoint it speaks of. */
const code = (file: string): string =>
  readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

const constantOf = (name: string) => name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');

const escapeDots = (t: string) => t.replace(/[.]/g, '\\.');

/**
 * What names an endpoint, as a pattern: its names and constants anywhere in code, its envelope
 * key only as a key (quoted or after a dot): an envelope may be an everyday word (`account`).
 */
const names = (): Array<[string, RegExp]> =>
  endpointModels().flatMap((m) => {
    const calls = [m.spec, m.cleanup.endpoint];
    const word = (t: string): [string, RegExp] => [t, new RegExp(`(^|[^A-Za-z0-9_])${escapeDots(t)}($|[^A-Za-z0-9_])`)];
    const key = (t: string): [string, RegExp] => [t, new RegExp(`(['"\`]${escapeDots(t)}['"\`]|\\.${escapeDots(t)}($|[^A-Za-z0-9_]))`)];
    return [...calls.flatMap((s) => [word(s.name), word(constantOf(s.name))]), key(m.spec.envelope)];
  });

describe('the pillars', () => {
  it('name no endpoint: every endpoint, envelope and cleanup call comes from the model', () => {
    const tokens = names();
    const hits = PILLARS.flatMap((p) =>
      filesUnder(join(ROOT, p))
        .filter((f) => !ALLOWED.has(relative(ROOT, f)))
        .flatMap((f) => {
          const text = code(f);
          return tokens.filter(([, pattern]) => pattern.test(text)).map(([t]) => `${relative(ROOT, f)}: ${t}`);
        }),
    );
    expect(hits).toEqual([]);
  });
});
