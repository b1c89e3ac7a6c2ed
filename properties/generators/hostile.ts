import fc from 'fast-check';
import { endpointViews } from '../endpoints.ts';

/**
 * Inputs for "no input gets a 5xx": not only JSON objects but the bytes a broken client,
 * a proxy or an attacker sends. Each kind is a class of its own so the run shows it was
 * really exercised.
 */
export const HOSTILE_KINDS = [
  'raw-bytes',
  'invalid-utf8',
  'deep-nesting',
  'huge-body',
  'wrong-content-type',
  'json-value',
  'field-noise',
] as const;
export type HostileKind = (typeof HOSTILE_KINDS)[number];

export interface HostileInput {
  /** A string is sent as UTF-8; bytes as they are. */
  raw: string | Uint8Array;
  contentType: string | null;
}

const JSON_CT = 'application/json';

const utf8 = (s: string) => new TextEncoder().encode(s);

// Sequences no UTF-8 decoder may accept: a lone continuation byte, an overlong slash,
// a truncated sequence, an encoded surrogate, bytes above U+10FFFF, 0xFF.
const BROKEN_UTF8 = [[0x80], [0xc0, 0xaf], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xff], [0xfe, 0xff]];

/** The request fields of every endpoint, by JSON type: hostile bodies aim at the fields a provider parses. */
export interface RequestFields {
  all: string[];
  strings: string[];
  arrays: string[];
}

export const requestFields = (): RequestFields => {
  const all = new Set<string>();
  const strings = new Set<string>();
  const arrays = new Set<string>();
  for (const v of endpointViews())
    for (const [f, s] of Object.entries(v.fields)) {
      all.add(f);
      if (s.type === 'string') strings.add(f);
      if (s.type === 'array') arrays.add(f);
    }
  return { all: [...all], strings: [...strings], arrays: [...arrays] };
};

const invalidUtf8 = (f: RequestFields) =>
  fc
    .tuple(fc.constantFrom(...f.strings.slice(0, 3).map((k) => `{"${k}":"`), '{"', ''), fc.constantFrom(...BROKEN_UTF8), fc.constantFrom('"}', '', '":1}'))
    .map(([head, bad, tail]) => {
      const bytes = [...utf8(head), ...bad, ...utf8(tail)];
      return { raw: Uint8Array.from(bytes), contentType: JSON_CT } satisfies HostileInput;
    });

const deepNesting = fc
  .tuple(fc.integer({ min: 64, max: 20_000 }), fc.constantFrom('array', 'object', 'custom_fields', 'unclosed'))
  .map(([depth, shape]) => {
    let raw: string;
    if (shape === 'array') raw = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    else if (shape === 'object') raw = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    else if (shape === 'custom_fields')
      raw = `{"custom_schema_spec":{"tenant_fragment":true},"custom_fields":{"tnt__deep":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}`;
    else raw = '['.repeat(depth);
    return { raw, contentType: JSON_CT } satisfies HostileInput;
  });

// Up to 3 MB: large enough for any sane body limit, small enough for loopback.
const hugeBody = (f: RequestFields) =>
  fc
    .tuple(
      fc.integer({ min: 64 * 1024, max: 3 * 1024 * 1024 }),
      fc.constantFrom(...f.strings.map((k) => ({ k, array: false })), ...f.arrays.map((k) => ({ k, array: true })), { k: '', array: false }),
    )
    .map(([size, { k, array }]) => {
      let raw: string;
      if (array) raw = `{"${k}":[${'"+14155550100",'.repeat(Math.ceil(size / 15))}"+14155550100"]}`;
      else if (k === '') raw = 'x'.repeat(size);
      else raw = `{"${k}":"${'a'.repeat(size)}"}`;
      return { raw, contentType: JSON_CT } satisfies HostileInput;
    });

const WRONG_TYPES: Array<string | null> = [
  null,
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/octet-stream',
  'application/json; charset=latin1',
  'application/jsonx',
  '*/*',
  '',
];

/** A body of some request fields as JSON and as a form, XML, and nothing, under content types that are not JSON. */
const wrongContentType = (f: RequestFields) => {
  const some = f.strings.slice(0, 3);
  return fc
    .tuple(
      fc.constantFrom(...WRONG_TYPES),
      fc.constantFrom(
        JSON.stringify(Object.fromEntries(some.map((k) => [k, 'x']))),
        some.map((k) => `${k}=a%40example.com`).join('&'),
        '<user/>',
        '',
      ),
    )
    .map(([contentType, raw]) => ({ raw, contentType }) satisfies HostileInput);
};

const rawBytes = fc.uint8Array({ maxLength: 256 }).map((raw) => ({ raw, contentType: JSON_CT }) satisfies HostileInput);

const jsonValue = fc.json({ maxDepth: 4 }).map((raw) => ({ raw, contentType: JSON_CT }) satisfies HostileInput);

// Every documented field (and prototype keys) with any JSON value at all, nested anywhere.
const fieldNoise = (f: RequestFields) =>
  fc
    .dictionary(fc.constantFrom(...f.all, '__proto__', 'constructor'), fc.jsonValue({ maxDepth: 3 }), { minKeys: 1, maxKeys: 5, noNullPrototype: true })
    .map((o) => ({ raw: JSON.stringify(o), contentType: JSON_CT }) satisfies HostileInput);

const arbs: Record<HostileKind, (f: RequestFields) => fc.Arbitrary<HostileInput>> = {
  'raw-bytes': () => rawBytes,
  'invalid-utf8': invalidUtf8,
  'deep-nesting': () => deepNesting,
  'huge-body': hugeBody,
  'wrong-content-type': wrongContentType,
  'json-value': () => jsonValue,
  'field-noise': fieldNoise,
};

/** Hostile inputs of one kind, aimed at the request fields of the endpoints the model holds now. */
export const hostileInput = (kind: HostileKind, fields: RequestFields = requestFields()): fc.Arbitrary<HostileInput> => arbs[kind](fields);
