import { describe, expect, it } from 'vitest';
import { extractSlice } from '../../api-model/openapi/extract.ts';
import { SLICE_PATHS } from '../../api-model/openapi/slice-paths.ts';
import { diffSpecs } from '../../docs-drift/diff.ts';
import { sideOf } from '../../docs-drift/resolve.ts';
import { baseDocument } from './documents.ts';

// The slice must carry what the diff compares: an answer's headers behind `$ref`, and every
// security scheme a sliced operation names, the document's or its own.
const source = { file: 'test.yaml', sha256: '0'.repeat(64), commit: null, date: null };

const whole = () => {
  const d = baseDocument();
  for (const p of SLICE_PATHS) d.paths[p] ??= { post: { responses: { '200': { description: 'ok' } } } };
  d.components.securitySchemes.admin = { type: 'apiKey', in: 'header', name: 'X-Admin' };
  d.components.securitySchemes.unused = { type: 'http', scheme: 'basic' };
  d.paths['/dev-users.create'].post.security = [{ admin: [] }];
  return d;
};

describe('spec pin: the slice keeps answer headers and security schemes', () => {
  it('a scheme only an operation names is kept; one nothing names is not', () => {
    const slice = extractSlice(whole(), SLICE_PATHS, source) as ReturnType<typeof baseDocument>;
    expect(Object.keys(slice.components.securitySchemes).sort()).toEqual(['admin', 'bearer']);
    expect(slice.components.headers.remaining).toEqual({ schema: { type: 'integer' } });
  });

  it('so a change to that scheme or header shows in a diff of two slices', () => {
    const a = whole();
    const b = whole();
    b.components.securitySchemes.admin.name = 'X-Owner';
    b.components.headers.remaining.schema.type = 'string';
    const slice = (d: typeof a, label: string) => sideOf(label, label, extractSlice(d, SLICE_PATHS, source));
    const changes = diffSpecs(slice(a, 'a'), slice(b, 'b'));
    expect(changes.map((c) => [c.ruleId, c.from, c.to])).toEqual([
      ['response-header-type-changed', '/components/headers/remaining/schema', '/components/headers/remaining/schema'],
      ['security-scheme-changed', '/components/securitySchemes/admin/name', '/components/securitySchemes/admin/name'],
    ]);
  });
});
