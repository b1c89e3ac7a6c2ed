import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The layout the model promises: pillars import the model and the core, never each other;
// the core and the model import no pillar.

const ROOT = resolve(import.meta.dirname, '../..');
const PILLARS = ['contracts', 'drift', 'properties', 'load', 'docs-drift'];

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : name.endsWith('.ts') ? [path] : [];
  });

/** Top-level folders a file imports from (relative imports only). */
const importedFolders = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)].map((m) => relative(ROOT, resolve(file, '..', m[1]!)).split('/')[0]!);

describe('the layout', () => {
  it('keeps pillars from importing each other', () => {
    const crossings = PILLARS.flatMap((p) =>
      filesUnder(join(ROOT, p)).flatMap((f) => importedFolders(f).filter((d) => d !== p && PILLARS.includes(d)).map((d) => `${relative(ROOT, f)} → ${d}`)),
    );
    expect(crossings).toEqual([]);
  });

  it('keeps core/ and api-model/ free of pillar code', () => {
    const crossings = ['core', 'api-model'].flatMap((top) =>
      filesUnder(join(ROOT, top)).flatMap((f) => importedFolders(f).filter((d) => PILLARS.includes(d)).map((d) => `${relative(ROOT, f)} → ${d}`)),
    );
    expect(crossings).toEqual([]);
  });
});
