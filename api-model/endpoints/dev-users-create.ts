import type { BodyOf } from '../cases/request-values.ts';
import { created, everyCreate, refused, wrongJsonType } from '../cases/templates.ts';
import { DEV_USERS_CREATE, DEV_USERS_DEACTIVATE } from '../shapes/endpoints.ts';
import { type EndpointModel, plainEcho } from './model.ts';

// email and state are required, and state has one documented value.
const minimal: BodyOf = (v, what) => ({ email: v.tagged('email', 'email', `dev-${what}`), state: 'shadow' });

const fixtureFree: BodyOf = (v, what) => ({ ...minimal(v, what), full_name: v.text('full_name') });

export const DEV_USERS: EndpointModel = {
  spec: DEV_USERS_CREATE,
  classPrefix: 'dev',
  cleanup: {
    endpoint: DEV_USERS_DEACTIVATE,
    event: 'deactivated',
    goneOn404: false,
    note: 'DevRev documents no delete for dev users; deactivated instead',
    remains: 'deactivated dev user, no documented delete',
  },
  uniqueFields: ['email'],
  fixtureFreeFields: ['email', 'full_name', 'state'],
  echoed: [plainEcho('email'), plainEcho('state'), plainEcho('full_name'), plainEcho('custom_fields'), { field: 'reports_to', sent: '/reports_to', answer: '/reports_to/id' }],
  reads: ['/created_date'],
  cases: [
    created('minimal-create', 'email and state "shadow", the two required fields', minimal, {
      why: 'email and state "shadow" are the two required fields',
    }),
    created('fields-create', 'every field that needs no tenant record', fixtureFree, {
      why: 'every field that references no tenant record (e-mail, state, full name)',
    }),
    created(
      'full-create',
      'every documented request field, referencing the tenant fixtures',
      (v, what) => ({
        ...fixtureFree(v, what),
        reports_to: v.fixture('devUser'),
        custom_fields: v.fixture('tenantCustomFields'),
        custom_schema_spec: { tenant_fragment: true, validate_required_fields: false },
      }),
      { fixtures: ['devUser', 'tenantCustomFields'] },
    ),
    refused(
      'missing-email',
      'no email (required)',
      'spec',
      'the document lists email as required; missing_required_field is a documented 400 type',
      'missing-required',
      (v) => ({ state: 'shadow', full_name: v.text('full_name') }),
      'for a missing email',
    ),
    refused('state-not-shadow', 'state "active" (only "shadow" is allowed)', 'spec', 'state is a documented enum of one value, "shadow"', 'enum', (v, what) => ({
      ...minimal(v, what),
      state: 'active',
    }), 'for a state other than shadow'),
    wrongJsonType('full_name', minimal),
    ...everyCreate(minimal),
  ],
};
