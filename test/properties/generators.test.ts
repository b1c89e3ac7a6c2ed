import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isE164 } from '../../api-model/prose-rules/e164.ts';
import { isRawCase, uniquify } from '../../properties/case.ts';
import { properties, propertyByName } from '../../properties/catalog.ts';
import { fixtureSources, generatedSources } from '../../properties/generators/bodies.ts';
import { E164_MAX_DIGITS, e164Number } from '../../properties/generators/e164.ts';
import { HOSTILE_KINDS, hostileInput } from '../../properties/generators/hostile.ts';
import { PHONE_NEAR_MISSES, phoneNearMiss } from '../../properties/generators/phone-near-miss.ts';
import { confirmLabel, MislabelledCase } from '../../properties/oracle.ts';

// One seed per file run, printed so a failure can be replayed with fc's { seed }.
const seed = Date.now() | 0;
console.log(`generator self-test seed ${seed}`);

describe('the E.164 generator', () => {
  it('produces only numbers the rules module accepts', () => {
    fc.assert(fc.property(e164Number(), (n) => isE164(n.phone) && n.phone.length - 1 === n.totalDigits), { seed, numRuns: 2000 });
  });

  it('covers every country-code length from 1 to 3 and every total length from 2 to 15 digits', () => {
    const seen = new Set<string>();
    for (const n of fc.sample(e164Number(), { seed, numRuns: 4000 })) seen.add(`${n.ccLength}/${n.totalDigits}`);
    const missing: string[] = [];
    for (let cc = 1; cc <= 3; cc++)
      for (let total = cc + 1; total <= E164_MAX_DIGITS; total++) if (!seen.has(`${cc}/${total}`)) missing.push(`${cc}/${total}`);
    expect(missing).toEqual([]);
  });
});

describe('the phone near misses', () => {
  it.each(PHONE_NEAR_MISSES)('every "%s" near miss is rejected by the rules module', (kind) => {
    fc.assert(fc.property(phoneNearMiss(kind), (p) => !isE164(p)), { seed, numRuns: 300 });
  });

  it('include a 16-digit number and a country code starting with 0', () => {
    const tooLong = fc.sample(phoneNearMiss('too-long'), { seed, numRuns: 200 });
    expect(tooLong.some((p) => p.length === 17)).toBe(true);
    expect(fc.sample(phoneNearMiss('cc-starts-with-0'), { seed, numRuns: 20 }).every((p) => p.startsWith('+0'))).toBe(true);
  });
});

describe('every generator class', () => {
  for (const [where, sources] of [
    ['on the simulator', generatedSources()],
    ['on a real tenant with fixtures', fixtureSources({ tenantCustomFields: { tnt__tier: 'gold' }, subtype: { name: 'vip', fields: { ctype__level: 3 } }, devUser: 'DEVU-1' })],
  ] as const) {
    it(`is produced, labelled with its own name and confirmed by the oracle ${where}`, () => {
      for (const p of properties()) {
        if (p.kind !== 'cases') continue;
        const { classes, unavailable } = p.classes(sources);
        expect(unavailable).toEqual([]);
        for (const c of classes) {
          const cases = fc.sample(c.arb, { seed, numRuns: 60 });
          expect(cases.length).toBe(60);
          for (const x of cases) {
            expect(x.cls).toBe(c.name);
            if (!isRawCase(x)) confirmLabel(x, uniquify(x.body, 'dgtest-1', x.endpoint));
          }
        }
      }
    });
  }

  it('that needs tenant custom fields is listed as unavailable, by name, on a real tenant without fixtures', () => {
    const valid = propertyByName('valid-accepted');
    if (valid?.kind !== 'cases') throw new Error('valid-accepted is missing');
    const { classes, unavailable } = valid.classes(fixtureSources({}));
    expect(unavailable.map((u) => u.name)).toContain('rev.valid.custom-fields.tenant');
    expect(classes.every((c) => !c.name.includes('custom-fields'))).toBe(true);
  });
});

describe('the hostile inputs', () => {
  it('include raw bytes that are not UTF-8, nesting thousands deep and bodies over a megabyte', () => {
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    const broken = fc.sample(hostileInput('invalid-utf8'), { seed, numRuns: 50 });
    for (const h of broken) expect(() => utf8.decode(h.raw as Uint8Array)).toThrow();
    const deep = fc.sample(hostileInput('deep-nesting'), { seed, numRuns: 50 });
    expect(deep.some((h) => (h.raw as string).length > 10_000)).toBe(true);
    const huge = fc.sample(hostileInput('huge-body'), { seed, numRuns: 50 });
    expect(huge.some((h) => (h.raw as string).length > 1024 * 1024)).toBe(true);
    const types = new Set(fc.sample(hostileInput('wrong-content-type'), { seed, numRuns: 200 }).map((h) => h.contentType));
    expect(types.has(null)).toBe(true);
    expect(types.has('application/json')).toBe(false);
    expect(HOSTILE_KINDS.length).toBe(7);
  });
});

describe('the oracle', () => {
  it('rejects a case labelled valid that breaks a rule, before anything is sent', () => {
    const c = { cls: 'rev.valid.phones', endpoint: 'rev-users.create', expect: 'valid', body: { phone_numbers: ['+0123'] } } as const;
    expect(() => confirmLabel(c, c.body)).toThrow(MislabelledCase);
  });

  it('rejects a case labelled invalid for one rule that breaks another', () => {
    const c = { cls: 'dev.state.empty', endpoint: 'dev-users.create', expect: 'invalid', rule: 'enum', field: 'state', body: { state: '' } } as const;
    expect(() => confirmLabel(c, c.body)).toThrow(/missing-required at \/email/);
  });

  it('rejects a case labelled invalid that breaks no rule', () => {
    const c = { cls: 'rev.phone.space', endpoint: 'rev-users.create', expect: 'invalid', rule: 'e164', field: 'phone_numbers', body: { phone_numbers: ['+4412'] } } as const;
    expect(() => confirmLabel(c, c.body)).toThrow(/no violation/);
  });
});

describe('unique values', () => {
  it('get the run tag in external_ref, external_refs and the e-mail local part, and nothing else changes', () => {
    const out = uniquify({ email: 'a@example.com', external_ref: 'ext-a', external_refs: ['x', 3], display_name: 'A' }, 'dg1-7', 'rev-users.create');
    expect(out).toEqual({ email: 'a.dg1-7@example.com', external_ref: 'ext-a-dg1-7', external_refs: ['x-dg1-7', 3], display_name: 'A' });
  });
});
