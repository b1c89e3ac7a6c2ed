import { Type } from '@sinclair/typebox';
import {
  ArtifactSummary,
  CustomSchemaSpec,
  ExternalIdentity,
  JobHistoryItem,
  OrgSummary,
  SetTagWithValue,
  TagWithValue,
  UserSkill,
  UserSummary,
  userBase,
} from './common.ts';
import { DateTime, FreeForm, Id, Obj, Text } from './primitives.ts';

// The two create endpoints: request bodies (beta surface, seed 000 and seed 003) and the
// 201 envelopes. Types are derived from these schemas with Static<>, never written twice.

export const RevUsersCreateRequest = Obj(
  {
    account: Type.Optional(Id('The ID of the account to which the created Rev user is associated.')),
    artifacts: Type.Optional(Type.Array(Id())),
    custom_fields: Type.Optional(FreeForm('Application-defined custom fields.')),
    custom_schema_fragments: Type.Optional(Type.Array(Id(), { deprecated: true })),
    custom_schema_spec: Type.Optional(CustomSchemaSpec),
    description: Type.Optional(Text()),
    display_name: Type.Optional(Text()),
    display_picture: Type.Optional(Id()),
    email: Type.Optional(Text()),
    external_ref: Type.Optional(Text()),
    external_refs: Type.Optional(Type.Array(Text())),
    // E.164 is stated only in prose; the rule lives in rules/e164.ts, not in a pattern here.
    phone_numbers: Type.Optional(Type.Array(Text('Phone numbers, in E.164 format, of the Rev user.'))),
    rev_org: Type.Optional(Id()),
    tags: Type.Optional(Type.Array(SetTagWithValue)),
  },
  'rev-users-create-request',
);

export const DEV_USER_CREATE_STATES = ['shadow'] as const;

export const DevUsersCreateRequest = Obj(
  {
    custom_fields: Type.Optional(FreeForm('Application-defined custom fields.')),
    custom_schema_spec: Type.Optional(CustomSchemaSpec),
    email: Text('Email of the Dev user.'),
    full_name: Type.Optional(Text()),
    reports_to: Type.Optional(Id()),
    state: Type.Literal('shadow'),
  },
  'dev-users-create-request',
);

export const RevUser = Obj(
  {
    ...userBase,
    artifacts: Type.Optional(Type.Array(ArtifactSummary)),
    custom_fields: Type.Optional(FreeForm('Custom fields.')),
    custom_schema_fragments: Type.Optional(Type.Array(Id())),
    description: Type.Optional(Text()),
    external_ref: Type.Optional(Text()),
    external_refs: Type.Optional(Type.Array(Text())),
    is_verified: Type.Optional(Type.Boolean()),
    rev_org: Type.Optional(OrgSummary),
    stock_schema_fragment: Type.Optional(Id()),
    subtype: Type.Optional(Text()),
    tags: Type.Optional(Type.Array(TagWithValue)),
  },
  'rev-user',
);

export const DevUser = Obj(
  {
    ...userBase,
    custom_fields: Type.Optional(FreeForm('Custom fields.')),
    custom_schema_fragments: Type.Optional(Type.Array(Id())),
    experience_start_date: Type.Optional(DateTime()),
    external_identities: Type.Optional(Type.Array(ExternalIdentity)),
    job_history: Type.Optional(Type.Array(JobHistoryItem)),
    reports_to: Type.Optional(UserSummary),
    skills: Type.Optional(Type.Array(UserSkill)),
    stock_schema_fragment: Type.Optional(Id()),
    subtype: Type.Optional(Text()),
  },
  'dev-user',
);

export const RevUsersCreateResponse = Obj({ rev_user: RevUser }, 'rev-users-create-response');
export const DevUsersCreateResponse = Obj({ dev_user: DevUser }, 'dev-users-create-response');

// rev-users.delete and dev-users.deactivate: what the cleanup of a real run calls.
export const RevUsersDeleteRequest = Obj({ id: Id('The ID of Rev user to delete.') }, 'rev-users-delete-request');
export const RevUsersDeleteResponse = Obj({}, 'rev-users-delete-response');
export const DevUsersDeactivateRequest = Obj({ id: Id('The ID for the Dev user.') }, 'dev-users-deactivate-request');
export const DevUsersDeactivateResponse = Obj({}, 'dev-users-deactivate-response');
