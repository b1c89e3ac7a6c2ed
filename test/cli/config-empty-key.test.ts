import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorLines, runCli, scratch } from '../errors/support.ts';

// Found by the CLI fuzz (seed -378936334): a config file with an empty key crashed the
// settings check (exit 3, "internal error") instead of naming the key.
describe('a config file with an empty key', () => {
  it('is refused with exit 2, naming the key, no internal error', async () => {
    const dir = scratch('config-empty-key');
    const file = join(dir, 'devrev-gate.json');
    writeFileSync(file, '{"": null}');
    const r = await runCli(['spec', 'diff', '--config', file]);
    expect(r.code, r.stderr).toBe(2);
    expect(errorLines(r.stderr).join('\n')).toMatch(/unknown key ""/);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});
