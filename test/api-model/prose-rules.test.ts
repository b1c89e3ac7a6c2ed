import { describe, expect, it } from 'vitest';
import {
  checkRequest,
  customFieldProblems,
  e164Problem,
  isE164,
  isValidRequest,
  specNeeds,
} from '../../api-model/prose-rules/index.ts';
import { DEV_USERS_CREATE, REV_USERS_CREATE } from '../../api-model/shapes/index.ts';

// Cases written from the docs' own words, not from the rules' code, so the rules can serve
// as an oracle. "Phone numbers, in E.164 format": a "+", a country code that does not start
// with 0, at most 15 digits in all, nothing else.
const E164_ACCEPTED: Array<[string, string]> = [
  ['+14155550100', 'a US number (1-digit country code)'],
  ['+442071838750', 'a UK number (2-digit country code)'],
  ['+35312345678', 'an Irish number (3-digit country code)'],
  ['+123456789012345', 'exactly fifteen digits'],
  ['+12', 'a country code and one subscriber digit'],
  ['+5511987654321', 'a Brazilian mobile number'],
];

const E164_REJECTED: Array<[unknown, string]> = [
  ['14155550100', 'no leading +'],
  ['+04155550100', 'a country code starting with 0'],
  ['+1234567890123456', 'sixteen digits'],
  ['+1 415 555 0100', 'spaces'],
  ['+1-415-555-0100', 'dashes'],
  ['+1(415)5550100', 'parentheses'],
  ['+1415555CALL', 'letters'],
  ['', 'an empty string'],
  ['+', 'a lone +'],
  ['+1', 'a lone country code'],
  ['+١٤١٥٥٥٥٠١٠٠', 'Arabic-Indic digits'],
  ['+１４１５５５５０１００', 'full-width digits'],
  ['＋14155550100', 'a full-width plus'],
  ['+14155550100 ', 'trailing whitespace'],
  ['+14155550100\n', 'a trailing newline'],
  [' +14155550100', 'leading whitespace'],
  ['++14155550100', 'two pluses'],
  [14155550100, 'a number instead of a string'],
  [null, 'null'],
];

describe('the E.164 rule', () => {
  for (const [value, why] of E164_ACCEPTED) {
    it(`accepts ${why}: ${value}`, () => {
      expect(isE164(value)).toBe(true);
      expect(e164Problem(value)).toBeNull();
    });
  }
  for (const [value, why] of E164_REJECTED) {
    it(`rejects ${why}: ${JSON.stringify(value)}`, () => {
      expect(isE164(value)).toBe(false);
      expect(e164Problem(value)).toEqual(expect.any(String));
    });
  }
});

// "Each custom field in the request must have the corresponding schema specified; omission
// results in a Bad Request error." tnt__ fields: tenant_fragment: true; ctype__: a subtype.
describe('the custom-field rule', () => {
  const cases: Array<{ name: string; fields: Record<string, unknown>; spec: unknown; problems: string[] }> = [
    { name: 'a tenant field with tenant_fragment: true is covered', fields: { tnt__tier: 'gold' }, spec: { tenant_fragment: true }, problems: [] },
    { name: 'a tenant field without any spec is not', fields: { tnt__tier: 'gold' }, spec: undefined, problems: ['tnt__tier'] },
    { name: 'a tenant field with tenant_fragment: false is not', fields: { tnt__tier: 'gold' }, spec: { tenant_fragment: false }, problems: ['tnt__tier'] },
    { name: 'a tenant field with only a subtype is not', fields: { tnt__tier: 'gold' }, spec: { subtype: 'partner' }, problems: ['tnt__tier'] },
    { name: 'a subtype field with a subtype is covered', fields: { ctype__region: 'eu' }, spec: { subtype: 'partner' }, problems: [] },
    { name: 'a subtype field with only tenant_fragment is not', fields: { ctype__region: 'eu' }, spec: { tenant_fragment: true }, problems: ['ctype__region'] },
    { name: 'a subtype field with an empty subtype is not', fields: { ctype__region: 'eu' }, spec: { subtype: '' }, problems: ['ctype__region'] },
    { name: 'both kinds need both entries', fields: { tnt__a: 1, ctype__b: 2 }, spec: { tenant_fragment: true }, problems: ['ctype__b'] },
    { name: 'both kinds with both entries are covered', fields: { tnt__a: 1, ctype__b: 2 }, spec: { tenant_fragment: true, subtype: 's' }, problems: [] },
    { name: 'a field without a fragment prefix names no schema', fields: { tier: 'gold' }, spec: { tenant_fragment: true, subtype: 's' }, problems: ['tier'] },
    { name: 'a bare prefix is not a field name', fields: { tnt__: 'x' }, spec: { tenant_fragment: true }, problems: ['tnt__'] },
    { name: 'no custom fields need nothing', fields: {}, spec: undefined, problems: [] },
    { name: 'a malformed spec covers nothing', fields: { tnt__a: 1 }, spec: 'tenant', problems: ['tnt__a'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(customFieldProblems(c.fields, c.spec).map((p) => p.field)).toEqual(c.problems);
    });
  }

  it('says which specifier entries a set of fields needs', () => {
    expect(specNeeds({ tnt__a: 1, ctype__b: 2, other: 3 })).toEqual({ tenantFragment: true, subtype: true, unknown: ['other'] });
  });
});

describe('the whole-request rules', () => {
  const kinds = (endpoint: typeof REV_USERS_CREATE | typeof DEV_USERS_CREATE, body: unknown) =>
    checkRequest(endpoint, body).map((v) => [v.kind, v.pointer]);

  it('accept an empty rev user request, since no field is required', () => {
    expect(isValidRequest(REV_USERS_CREATE, {})).toBe(true);
  });

  it('accept a full rev user request carrying every documented field', () => {
    const full = {
      account: 'ACC-12345',
      artifacts: ['ARTIFACT-12345'],
      custom_fields: { tnt__tier: 'gold', ctype__region: 'eu' },
      custom_schema_fragments: ['don:core:dvrv-us-1:devo/example:custom_type_fragment/1'],
      custom_schema_spec: { tenant_fragment: true, subtype: 'partner', apps: [], validate_required_fields: true, drop: { apps: [] } },
      description: 'd',
      display_name: 'Ana',
      display_picture: 'ARTIFACT-1',
      email: 'ana@example.com',
      external_ref: 'crm-1',
      external_refs: ['crm-1'],
      phone_numbers: ['+14155550100'],
      rev_org: 'REV-AbCdEfGh',
      tags: [{ id: 'TAG-12345', value: 'v' }],
    };
    expect(checkRequest(REV_USERS_CREATE, full)).toEqual([]);
  });

  it('require email and state of a dev user', () => {
    expect(kinds(DEV_USERS_CREATE, {})).toEqual([
      ['missing-required', '/email'],
      ['missing-required', '/state'],
    ]);
  });

  it('accept only "shadow" as a dev user state', () => {
    expect(kinds(DEV_USERS_CREATE, { email: 'a@b.example', state: 'active' })).toEqual([['enum', '/state']]);
    expect(isValidRequest(DEV_USERS_CREATE, { email: 'a@b.example', state: 'shadow' })).toBe(true);
  });

  it('report a state of the wrong JSON type once, as a type error', () => {
    const v = checkRequest(DEV_USERS_CREATE, { email: 'a@b.example', state: 5 });
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ kind: 'wrong-json-type', pointer: '/state', expected: 'string', actual: 'number' });
  });

  it('name the field and both JSON types of a wrongly typed field', () => {
    expect(checkRequest(REV_USERS_CREATE, { phone_numbers: '+14155550100' })[0]).toMatchObject({
      kind: 'wrong-json-type',
      field: 'phone_numbers',
      expected: 'array',
      actual: 'string',
    });
    expect(checkRequest(REV_USERS_CREATE, { tags: [{ id: 7 }] })[0]).toMatchObject({
      pointer: '/tags/0/id',
      field: 'tags',
      actual: 'number',
    });
    expect(checkRequest(REV_USERS_CREATE, { email: true })[0]).toMatchObject({ expected: 'string', actual: 'bool' });
    expect(checkRequest(REV_USERS_CREATE, { custom_schema_spec: { tenant_fragment: 'yes' } })[0]).toMatchObject({
      pointer: '/custom_schema_spec/tenant_fragment',
      expected: 'bool',
    });
  });

  it('point at each phone number that is not E.164, with basis prose', () => {
    const v = checkRequest(REV_USERS_CREATE, { phone_numbers: ['+14155550100', '555-0100'] });
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ kind: 'e164', pointer: '/phone_numbers/1', basis: 'prose' });
  });

  it('point at each custom field sent without its schema spec, on both endpoints', () => {
    expect(kinds(REV_USERS_CREATE, { custom_fields: { tnt__a: 1 } })).toEqual([['custom-schema-spec', '/custom_fields/tnt__a']]);
    expect(kinds(DEV_USERS_CREATE, { email: 'a@b.example', state: 'shadow', custom_fields: { 'ctype__x/y': 1 } })).toEqual([
      ['custom-schema-spec', '/custom_fields/ctype__x~1y'],
    ]);
  });

  it('refuse a body that is not a JSON object', () => {
    for (const body of [null, [], 'x', 1, true]) {
      expect(kinds(REV_USERS_CREATE, body)).toEqual([['not-an-object', '']]);
    }
  });

  it('do not refuse fields the docs do not list, since the docs never say they are refused', () => {
    expect(isValidRequest(REV_USERS_CREATE, { nickname: 'x' })).toBe(true);
  });
});
