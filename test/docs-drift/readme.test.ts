import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPEC_DIFF_RULES } from '../../api-model/rulebook/spec-diff.ts';

// The README's rule table is a copy for readers; the rule book is the source. They agree.
describe('README: the docs-drift rule table', () => {
  it('lists every rule of SPEC_DIFF_RULES with its severity, and nothing else', () => {
    const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
    const section = readme.split('## Docs drift')[1]!.split('\n## ')[0]!;
    const rows = [...section.matchAll(/^\| `([a-z0-9-]+)` \| (error|warning|info) \|/gm)].map((m) => [m[1], m[2]]);
    expect(rows).toEqual(Object.entries(SPEC_DIFF_RULES).map(([id, r]) => [id, r.severity]));
  });
});
