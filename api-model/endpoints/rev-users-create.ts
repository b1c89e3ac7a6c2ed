import type { BodyOf, RequestValues } from '../cases/request-values.ts';
import { created, everyCreate, refused, wrongJsonType } from '../cases/templates.ts';
import { REV_USERS_CREATE, REV_USERS_DELETE } from '../shapes/endpoints.ts';
import { type EndpointModel, plainEcho } from './model.ts';

// Every rev user field is optional: the smallest valid create carries only the field that
// lets a run find the record again.
const minimal: BodyOf = (v, what) => ({ external_ref: v.tagged('external_ref', 'text', `rev-${what}`) });

const fixtureFree = (v: RequestValues, what: string) => ({
  description: v.text('description'),
  display_name: v.text('display_name'),
  email: v.tagged('email', 'email', `rev-${what}`),
  external_ref: v.tagged('external_ref', 'text', `rev-${what}`),
  external_refs: [v.tagged('external_refs', 'text', `rev-${what}-alt`)],
  phone_numbers: ['+14155550123'],
});

export const REV_USERS: EndpointModel = {
  spec: REV_USERS_CREATE,
  classPrefix: 'rev',
  cleanup: { endpoint: REV_USERS_DELETE, event: 'removed', goneOn404: true },
  uniqueFields: ['external_ref'],
  fixtureFreeFields: ['description', 'display_name', 'email', 'external_ref', 'external_refs', 'phone_numbers'],
  echoed: [
    plainEcho('display_name'),
    plainEcho('description'),
    plainEcho('email'),
    plainEcho('external_ref'),
    plainEcho('phone_numbers'),
    plainEcho('custom_fields'),
    { field: 'tags', sent: '/tags/0/id', answer: '/tags/0/tag/id' },
    { field: 'tags', sent: '/tags/0/value', answer: '/tags/0/value' },
    { field: 'artifacts', sent: '/artifacts/0', answer: '/artifacts/0/id' },
  ],
  reads: ['/created_date', '/state'],
  cases: [
    created('minimal-create', 'only an external_ref (every field is optional)', minimal, {
      why: 'every rev user field is optional; a valid create answers 201',
    }),
    // Every field that references no tenant record goes to every target, fixtures or not.
    created('fields-create', 'every field that needs no tenant record', fixtureFree, {
      why: 'every field that references no tenant record (phone numbers, e-mail, description, display name, external refs)',
    }),
    created(
      'full-create',
      'every documented request field, referencing the tenant fixtures',
      (v, what) => ({
        account: v.fixture('account'),
        artifacts: [v.fixture('artifact')],
        custom_fields: v.fixture('tenantCustomFields'),
        custom_schema_spec: { tenant_fragment: true, validate_required_fields: false },
        ...fixtureFree(v, what),
        display_picture: v.fixture('artifact'),
        rev_org: v.fixture('revOrg'),
        tags: [{ id: v.fixture('tag'), value: 'drift' }],
      }),
      { fixtures: ['revOrg', 'account', 'tag', 'artifact', 'tenantCustomFields'] },
    ),
    refused(
      'phone-not-e164',
      'a phone number without "+" and country code',
      'prose',
      'phone numbers are documented "in E.164 format"; which 400 type it gets is not documented',
      'e164',
      (v, what) => ({ ...minimal(v, what), phone_numbers: ['415 555 0123'] }),
      'for a phone number that is not E.164',
    ),
    wrongJsonType('display_name', minimal),
    {
      name: 'taken-external-ref',
      status: 409,
      basis: 'assumed',
      why: '409 is "creation conflicted with an existing object"; that a taken external_ref conflicts is our reading',
      summary: 'a second create with the external_ref of a rev user created just before',
      describedAs: 'for a taken external_ref',
      state: 'taken-unique',
      request: (v) => ({ body: minimal(v, 'taken') }),
    },
    ...everyCreate(minimal),
  ],
};
