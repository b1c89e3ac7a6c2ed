import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The layout the model promises: pillars import the model and the core, never each other;
// the core and the model import no pillar; the core imports nothing from the model; the
// report writers import no pillar; no pillar knows the simulator; no import circles in properties/.

const ROOT = resolve(import.meta.dirname, '../..');
const PILLARS = ['contracts', 'drift', 'properties', 'load', 'docs-drift'];

const filesUnder = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : name.endsWith('.ts') ? [path] : [];
  });

/** Files a file imports, type-only imports included (relative imports only), from the root. */
const importedFiles = (file: string): string[] =>
  [...readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)].map((m) => relative(ROOT, resolve(file, '..', m[1]!)));

/** Top-level folders a file imports from (relative imports only). */
const importedFolders = (file: string): string[] => importedFiles(file).map((f) => f.split('/')[0]!);

/** `file → folder` for every import of a file under `top` from one of `folders`. */
const crossingsFrom = (top: string, folders: readonly string[]): string[] =>
  filesUnder(join(ROOT, top)).flatMap((f) => importedFolders(f).filter((d) => folders.includes(d)).map((d) => `${relative(ROOT, f)} → ${d}`));

/** Every import circle among the files under `top`, each as the files around it. */
const circlesUnder = (top: string): string[] => {
  const files = filesUnder(join(ROOT, top)).map((f) => relative(ROOT, f));
  const edges = new Map(files.map((f) => [f, importedFiles(join(ROOT, f)).filter((g) => files.includes(g))]));
  const circles: string[] = [];
  const done = new Set<string>();
  const walk = (f: string, path: string[]): void => {
    const at = path.indexOf(f);
    if (at >= 0) {
      circles.push([...path.slice(at), f].join(' → '));
      return;
    }
    if (done.has(f)) return;
    for (const g of edges.get(f) ?? []) walk(g, [...path, f]);
    done.add(f);
  };
  for (const f of files) walk(f, []);
  return circles;
};

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

  it('keeps core/ free of the model', () => {
    expect(crossingsFrom('core', ['api-model'])).toEqual([]);
  });

  it('keeps the report writers free of pillar code', () => {
    expect(crossingsFrom('reports', PILLARS)).toEqual([]);
  });

  it('keeps every pillar free of the simulator, its types included', () => {
    expect(PILLARS.flatMap((p) => crossingsFrom(p, ['simulator']))).toEqual([]);
  });

  it('has no import circle in properties/, type-only imports included', () => {
    expect(circlesUnder('properties')).toEqual([]);
  });
});
