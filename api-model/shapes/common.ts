import { Type } from '@sinclair/typebox';
import { DateTime, Discriminated, Id, Int32, Int64, Obj, Tag, Text } from './primitives.ts';

// Nested types shared by both 201 bodies, as DevRev's beta OpenAPI document declares them
// (atom-base, user-base, the summaries, tags, enum values). Only `id` is ever required on
// an object; every other field is optional, so a provider omitting one is not drift.

export const USER_STATES = ['active', 'deactivated', 'deleted', 'locked', 'shadow', 'unassigned'] as const;
export const UserState = Type.Union(USER_STATES.map((s) => Type.Literal(s)), { title: 'user-state' });

export const ArtifactFileSummary = Obj(
  { type: Type.Optional(Text()), name: Type.Optional(Text()), size: Type.Optional(Int32()) },
  'artifact-file-summary',
);

const atomBaseSummary = { id: Id('Globally unique object ID.'), display_id: Type.Optional(Text()) };

/** Artifact summaries carry no `type` key, unlike user and org summaries. */
export const ArtifactSummary = Obj(
  { ...atomBaseSummary, file: Type.Optional(ArtifactFileSummary) },
  'artifact-summary',
);

const orgBaseSummary = { ...atomBaseSummary, display_name: Type.Optional(Text()) };

export const OrgSummary = Discriminated(
  'type',
  [
    Obj({ type: Tag('account'), ...orgBaseSummary }, 'account-summary'),
    Obj({ type: Tag('dev_org'), ...orgBaseSummary, dev_slug: Text() }, 'dev-org-summary'),
    Obj({ type: Tag('rev_org'), ...orgBaseSummary }, 'rev-org-summary'),
  ],
  'org-summary',
);

const userBaseSummary = {
  ...atomBaseSummary,
  display_name: Type.Optional(Text()),
  display_picture: Type.Optional(ArtifactSummary),
  email: Type.Optional(Text()),
  full_name: Type.Optional(Text()),
  state: Type.Optional(UserState),
};

export const USER_TYPES = ['dev_user', 'rev_user', 'service_account', 'sys_user'] as const;

export const UserSummary = Discriminated(
  'type',
  [
    Obj({ type: Tag('dev_user'), ...userBaseSummary }, 'dev-user-summary'),
    Obj(
      {
        type: Tag('rev_user'),
        ...userBaseSummary,
        external_ref: Type.Optional(Text()),
        rev_org: Type.Optional(OrgSummary),
      },
      'rev-user-summary',
    ),
    Obj({ type: Tag('service_account'), ...userBaseSummary }, 'service-account-summary'),
    Obj({ type: Tag('sys_user'), ...userBaseSummary }, 'sys-user-summary'),
  ],
  'user-summary',
);

/** atom-base + user-base: the fields every full user object inherits. */
export const userBase = {
  id: Id('Globally unique object ID.'),
  display_id: Type.Optional(Text()),
  created_by: Type.Optional(UserSummary),
  created_date: Type.Optional(DateTime()),
  modified_by: Type.Optional(UserSummary),
  modified_date: Type.Optional(DateTime()),
  display_name: Type.Optional(Text()),
  display_picture: Type.Optional(ArtifactSummary),
  email: Type.Optional(Text()),
  full_name: Type.Optional(Text()),
  phone_numbers: Type.Optional(Type.Array(Text())),
  primary_identity: Type.Optional(UserSummary),
  state: Type.Optional(UserState),
};

export const TagStyleSummary = Obj({ color: Type.Optional(Text('#RRGGBB')) }, 'tag-style-summary');

export const TagSummary = Obj(
  { ...atomBaseSummary, name: Text(), style_new: Type.Optional(TagStyleSummary) },
  'tag-summary',
);

export const TagWithValue = Obj({ tag: TagSummary, value: Type.Optional(Text()) }, 'tag-with-value');

export const EnumValue = Obj(
  { id: Int64(), label: Text(), ordinal: Int64(), value: Type.Optional(Type.Unknown()) },
  'enum-value',
);

export const ExternalIdentity = Obj(
  {
    display_name: Type.Optional(Text()),
    id: Type.Optional(Text()),
    is_verified: Type.Optional(Type.Boolean()),
    issuer: Type.Optional(Text()),
  },
  'external-identity',
);

export const JobHistoryItem = Obj(
  {
    employment_status: Type.Optional(EnumValue),
    end_date: Type.Optional(DateTime()),
    is_current: Type.Optional(Type.Boolean()),
    location: Type.Optional(Text()),
    start_date: Type.Optional(DateTime()),
    title: Type.Optional(Text()),
  },
  'job-history-item',
);

export const UserSkill = Obj({ name: Type.Optional(Text()) }, 'user-skill');

export const CustomSchemaSpecDrop = Obj(
  { apps: Type.Optional(Type.Array(Text())), subtype: Type.Optional(Type.Boolean()) },
  'custom-schema-spec-drop',
);

export const CustomSchemaSpec = Obj(
  {
    apps: Type.Optional(Type.Array(Text())),
    drop: Type.Optional(CustomSchemaSpecDrop),
    subtype: Type.Optional(Text()),
    tenant_fragment: Type.Optional(Type.Boolean()),
    validate_required_fields: Type.Optional(Type.Boolean()),
  },
  'custom-schema-spec',
);

export const SetTagWithValue = Obj({ id: Id(), value: Type.Optional(Text()) }, 'set-tag-with-value');
