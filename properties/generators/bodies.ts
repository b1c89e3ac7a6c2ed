import fc from 'fast-check';
import type { Fixtures, RunContext } from '../../core/run-context.ts';
import {
  availableValidClasses,
  type CustomFieldsPart,
  type FieldSource,
  fixtureFieldSource,
  generatedFieldSource,
  type ValidCustomFieldClass,
  validCustomFields,
} from './custom-fields.ts';
import { e164 } from './e164.ts';
import { email, externalRef, text } from './text.ts';

/**
 * Whole, valid request bodies for both endpoints. Optional fields are optional keys of an
 * `fc.record`, so a counterexample sheds every field that does not matter. Fields that
 * reference other records (`rev_org`, `account`, tags, artifacts, `reports_to`) are only
 * generated where such records exist: on the embedded simulator (which takes any id) or
 * from the fixtures of a real tenant.
 */
export interface BodySources {
  fields: FieldSource;
  ids: IdSources;
}

export interface IdSources {
  revOrg: fc.Arbitrary<string> | null;
  account: fc.Arbitrary<string> | null;
  artifact: fc.Arbitrary<string> | null;
  tag: fc.Arbitrary<string> | null;
  devUser: fc.Arbitrary<string> | null;
}

const don = (service: string, kind: string) =>
  fc.integer({ min: 1, max: 99_999 }).map((n) => `don:${service}:dvrv-us-1:devo/0:${kind}/${n}`);

const fromFixture = (v: string | undefined) => (v ? fc.constant(v) : null);

export const sourcesFor = (ctx: Pick<RunContext, 'target' | 'fixtures'>): BodySources =>
  ctx.target.kind === 'simulator' ? generatedSources() : fixtureSources(ctx.fixtures);

export const generatedSources = (): BodySources => ({
  fields: generatedFieldSource(),
  ids: {
    revOrg: don('identity', 'revo'),
    account: don('identity', 'account'),
    artifact: don('core', 'artifact'),
    tag: don('core', 'tag'),
    devUser: don('identity', 'devu'),
  },
});

export const fixtureSources = (f: Fixtures): BodySources => ({
  fields: fixtureFieldSource(f),
  ids: {
    revOrg: fromFixture(f.revOrg),
    account: fromFixture(f.account),
    artifact: fromFixture(f.artifact),
    tag: fromFixture(f.tag),
    devUser: fromFixture(f.devUser),
  },
});

type Body = Record<string, unknown>;

const optionalRecord = (model: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<Body> =>
  fc.record(model, { requiredKeys: [], noNullPrototype: true });

const compact = <T>(entries: Array<[string, T | null]>): Record<string, T> =>
  Object.fromEntries(entries.filter((e): e is [string, T] => e[1] !== null));

/**
 * One to three numbers, each an `fc.option`, not an `fc.array`: fast-check shrinks an array
 * by dropping items from its front and cannot drop a passing number that comes after the
 * failing one, while an option shrinks to "absent" wherever it stands, so a counterexample
 * keeps only the numbers that matter.
 */
export const phoneList = (): fc.Arbitrary<string[]> =>
  fc
    .tuple(fc.option(e164(), { freq: 3 }), fc.option(e164(), { freq: 2 }), fc.option(e164(), { freq: 2 }))
    .map((list) => list.filter((p): p is string => p !== null))
    .filter((list) => list.length > 0);

/** The optional rev-user fields that need nothing from the tenant. */
const revTextFields = () => ({
  display_name: text(),
  description: text(8),
  email: email(),
  external_ref: externalRef(),
  external_refs: fc.uniqueArray(externalRef(), { minLength: 1, maxLength: 2 }),
  phone_numbers: phoneList(),
});

const revIdFields = (ids: IdSources) =>
  compact<fc.Arbitrary<unknown>>([
    ['rev_org', ids.revOrg],
    ['account', ids.account],
    ['display_picture', ids.artifact],
    ['artifacts', ids.artifact ? fc.uniqueArray(ids.artifact, { minLength: 1, maxLength: 2 }) : null],
    [
      'tags',
      ids.tag
        ? fc.array(tagRef(ids.tag), { minLength: 1, maxLength: 1 })
        : null,
    ],
  ]);

const tagRef = (id: fc.Arbitrary<string>) =>
  fc.record({ id, value: text(1) }, { requiredKeys: ['id'], noNullPrototype: true });

/** Any valid rev-users.create body without custom fields (the base of invalid mutations). */
export const revBody = (s: BodySources): fc.Arbitrary<Body> => optionalRecord({ ...revTextFields(), ...revIdFields(s.ids) });

/** A rev body that certainly carries phone numbers. */
export const revBodyWithPhones = (_s: BodySources): fc.Arbitrary<Body> =>
  fc.tuple(phoneList(), optionalRecord({ display_name: text(), email: email(), external_ref: externalRef() })).map(
    ([phones, rest]) => ({ ...rest, phone_numbers: phones }),
  );

/** Any valid dev-users.create body without custom fields. */
export const devBody = (s: BodySources): fc.Arbitrary<Body> =>
  fc
    .tuple(email(), optionalRecord(compact<fc.Arbitrary<unknown>>([['full_name', text()], ['reports_to', s.ids.devUser]])))
    .map(([e, rest]) => ({ email: e, ...rest, state: 'shadow' }));

export const devMinimal = (): fc.Arbitrary<Body> => email().map((e) => ({ email: e, state: 'shadow' }));

export const customFieldClasses = (s: BodySources): ValidCustomFieldClass[] => availableValidClasses(s.fields);

export const withPart = (base: fc.Arbitrary<Body>, part: fc.Arbitrary<CustomFieldsPart>): fc.Arbitrary<Body> =>
  fc.tuple(base, part).map(([b, p]) => ({ ...b, ...p }));

export const revWithCustomFields = (s: BodySources, cls: ValidCustomFieldClass): fc.Arbitrary<Body> =>
  withPart(optionalRecord({ display_name: text(), email: email() }), validCustomFields(cls, s.fields));

export const devWithCustomFields = (s: BodySources, cls: ValidCustomFieldClass): fc.Arbitrary<Body> =>
  withPart(devMinimal(), validCustomFields(cls, s.fields));
