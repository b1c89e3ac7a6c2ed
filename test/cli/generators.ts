import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';
import { RULE_IDS } from '../../drift/rules.ts';

// Arbitrary values for the CLI's options and input files: what a person (or a broken CI
// script) might pass, not what the CLI hopes for.

/** What an OS can hand a process as one argv element: UTF-8, no NUL byte. */
const asArgv = (s: string) => Buffer.from(s.replace(/\0/g, ''), 'utf8').toString('utf8');

export const numbers = fc.oneof(
  fc.integer().map(String),
  fc.integer({ min: -1_000_000_000, max: -1 }).map(String),
  fc.bigInt({ min: -(10n ** 40n), max: 10n ** 40n }).map(String),
  fc.double().map(String),
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '-0', '0', '1e309', '9007199254740993', '0x10', '1_000', ' 5 ', '5s', '2.5', '.5', '1/2', '+3'),
);

export const urls = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.constantFrom(
    'file:///etc/passwd',
    'javascript:alert(1)',
    'ftp://ftp.devrev.example/',
    'data:,hello',
    'mailto:a@b.example',
    'ws://127.0.0.1:1',
    'http://',
    'http://:80',
    'http://[::1]:0',
    'http://127.0.0.1:99999',
    'https://user:secret@api.devrev.example',
    'https://api.devrev.example/?q=1',
    'https://api.devrev.example/#f',
    'http://256.256.256.256',
    'http://例え.テスト',
    'https://api.devrev.ai///',
    'HTTPS://API.DEVREV.AI',
    'api.devrev.ai',
    '//api.devrev.ai',
    'http://127.0.0.1:8080/v1',
  ),
  fc.tuple(fc.constantFrom('http', 'https', 'gopher', 'x-custom', ''), fc.string()).map(([s, rest]) => `${s}://${rest}`),
);

export const strings = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  fc.constant(''),
  fc.constantFrom(' ', '-', '--', '-x', '=', ',', ',,', 'drift,load', 'error', 'warning', 'auto', 'token-bucket', 'fixed-window:20/2', 'token-bucket:5/2.5', '12:0:3', '.', '..', '/'),
);

/** Options that name a file or folder get paths from the pool most of the time. */
const TAKES_PATH = /ignore|baseline|ledger|config|from|out|dir|module/;

/** An option value: a file path from the pool, a URL, a number or any string. */
export const values = (files: string[], flag = '') =>
  fc
    .oneof(
      { weight: 3, arbitrary: strings },
      { weight: 2, arbitrary: numbers },
      { weight: 2, arbitrary: urls },
      { weight: TAKES_PATH.test(flag) ? 12 : 2, arbitrary: fc.constantFrom(...files) },
    )
    .map(asArgv);

/** What the generator needs to know of a flag (see validate-only.ts). */
export interface FlagSpec {
  flag: string;
  takesValue: boolean;
  choices: string[];
}

/** A flag as a person writes it: with a plausible value mostly, sometimes without one or with a stray one. */
const written = (f: FlagSpec, files: string[]): fc.Arbitrary<string[]> => {
  const value = f.choices.length
    ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...f.choices) }, { weight: 1, arbitrary: values(files, f.flag) })
    : values(files, f.flag);
  const alone: fc.Arbitrary<string[]> = fc.constant([f.flag]);
  const withValue: fc.Arbitrary<string[]> = value.map((v) => [f.flag, v]);
  return fc.oneof(
    { weight: 8, arbitrary: f.takesValue ? withValue : alone },
    { weight: 1, arbitrary: value.map((v) => [`${f.flag}=${v}`]) },
    { weight: 1, arbitrary: f.takesValue ? alone : withValue },
  );
};

/**
 * argv after the program name: a command path, then flags and values in any mix. Flags of
 * the chosen command come most often, so a run gets past "unknown option" to the checks.
 */
export const argvs = (commandPaths: string[][], ownFlags: (path: string[]) => FlagSpec[], allFlags: string[], files: string[]) =>
  fc
    .oneof({ weight: 9, arbitrary: fc.constantFrom(...commandPaths) }, { weight: 1, arbitrary: fc.array(strings.map(asArgv), { maxLength: 2 }) })
    .chain((path) => {
      const own = ownFlags(path);
      const foreign = fc.constantFrom(...allFlags).chain((flag) => written({ flag, takesValue: true, choices: [] }, files));
      const part = own.length
        ? fc.oneof(
            { weight: 12, arbitrary: fc.constantFrom(...own).chain((f) => written(f, files)) },
            { weight: 1, arbitrary: foreign },
            { weight: 1, arbitrary: values(files).map((v) => [v]) },
          )
        : fc.oneof(foreign, values(files).map((v) => [v]));
      return fc.array(part, { maxLength: 5 }).map((parts) => [...path, ...parts.flat()]);
    });

// ---- input files ----

const garbage = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b));

const jsonish = fc.jsonValue({ maxDepth: 3 });

const ignoreEntry = fc.record(
  {
    rule: fc.oneof(fc.constantFrom(...RULE_IDS), fc.string(), fc.integer()),
    reason: fc.oneof(fc.string(), fc.constant('DEV-1'), fc.integer(), fc.constant(null)),
    endpoint: fc.oneof(fc.constantFrom('rev-users.create', 'dev-users.create', ''), fc.string(), fc.boolean()),
    path: fc.oneof(fc.constantFrom('', '/', '/rev_user', '/rev_user/~1x'), fc.string()),
    expires: fc.oneof(fc.constantFrom('2026-01-31', '2020-02-30', '9999-12-31', '2026-01-31T10:00:00Z', 'soon', ''), fc.string(), fc.integer()),
    extra: fc.string(),
  },
  { requiredKeys: [], noNullPrototype: true },
);

const baselineAnswer = fc.record(
  {
    endpoint: fc.oneof(fc.constantFrom('rev-users.create'), fc.integer()),
    case: fc.oneof(fc.constant('minimal-create'), fc.constant(null)),
    status: fc.oneof(fc.constantFrom(201, 400), fc.double(), fc.string()),
    shape: fc.oneof(fc.dictionary(fc.string(), fc.oneof(fc.constantFrom('string', 'object'), fc.integer())), fc.constant(null), fc.array(fc.string())),
  },
  { requiredKeys: [], noNullPrototype: true },
);

const ledgerLine = fc.record(
  {
    at: fc.string(),
    runId: fc.string(),
    event: fc.oneof(fc.constantFrom('created', 'removed', 'deactivated', 'remove-failed'), fc.string()),
    endpoint: fc.oneof(fc.constantFrom('rev-users.create', 'dev-users.create'), fc.integer()),
    id: fc.oneof(fc.constant('don:identity:dvrv-us-1:devo/1:revu/2'), fc.string(), fc.integer()),
    displayId: fc.string(),
  },
  { requiredKeys: [], noNullPrototype: true },
);

/** Bytes of a file a loader is handed: garbage, any JSON or YAML, or something close to the real format. */
export const fileContents = fc.oneof(
  garbage,
  jsonish.map((v) => Buffer.from(JSON.stringify(v))),
  jsonish.map((v) => Buffer.from(toYaml(v))),
  fc.array(ignoreEntry, { maxLength: 3 }).map((entries) => Buffer.from(JSON.stringify({ ignore: entries }))),
  fc.array(ignoreEntry, { maxLength: 3 }).map((entries) => Buffer.from(toYaml(entries))),
  fc
    .record({ devrevGateBaseline: fc.constantFrom(1, 2, '1'), answers: fc.oneof(fc.array(baselineAnswer, { maxLength: 3 }), jsonish) }, { requiredKeys: ['devrevGateBaseline'], noNullPrototype: true })
    .map((b) => Buffer.from(JSON.stringify(b))),
  fc.array(fc.oneof(ledgerLine.map((l) => JSON.stringify(l)), fc.string()), { maxLength: 4 }).map((lines) => Buffer.from(lines.join('\n'))),
  fc.constantFrom('', '\n', '{', '[]', 'null', '%YAML 1.1\n---\n- rule: response-property-added\n  reason: x\n  expires: 2026-01-31\n', '*a', '\uFEFF{}').map((s) => Buffer.from(s)),
);
