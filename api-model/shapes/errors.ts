import { type TProperties, Type } from '@sinclair/typebox';
import { Discriminated, Id, Int64, Obj, Tag, Text } from './primitives.ts';

// The error envelopes of DevRev's beta OpenAPI document. Each status is allOf[error-base,
// oneOf variants discriminated by `type`]; variant fields sit flat next to `type`, `message`
// and `detail`. Only `type` is ever required of the base. The four 400 types and three 401
// types that only the SDK knows are left out on purpose: the pinned surface is the spec.

const errorBase = { message: Type.Optional(Text()), detail: Type.Optional(Text()) };

const variant = <T extends string, P extends TProperties>(type: T, extra: P, title: string) =>
  Obj({ type: Tag(type), ...errorBase, ...extra }, title);

export const CUSTOMIZATION_VALIDATION_SUBTYPES = [
  'bad_id_type',
  'date_parse_error',
  'enum_out_of_range',
  'expression_parse_error',
  'field_dropped',
  'field_immutable',
  'field_not_in_schema',
  'field_required',
  'fragment_not_found',
  'id_parse_error',
  'id_type_not_allowed',
  'invalid_argument',
  'timestamp_parse_error',
  'unknown_error',
  'unsupported_type',
  'wrong_type',
] as const;

export const JSON_TYPE_NAMES = ['array', 'bool', 'null', 'number', 'object', 'string'] as const;
const JsonTypeName = Type.Union(JSON_TYPE_NAMES.map((t) => Type.Literal(t)));

const MergeWorksErrorItem = Obj(
  {
    details: Text(),
    work: Id(),
    subtype: Type.Optional(
      Type.Union(
        [
          'already_merged',
          'closed',
          'different_reporters',
          'different_workspace',
          'invalid_stage_transition',
          'locked',
          'stage_not_found_for_subtype',
        ].map((s) => Type.Literal(s)),
      ),
    ),
    already_merged: Type.Optional(Obj({ merged_into: Id() }, 'already-merged')),
    closed: Type.Optional(Obj({}, 'closed')),
    different_reporters: Type.Optional(
      Obj(
        { primary_reporters: Type.Optional(Type.Array(Id())), secondary_reporters: Type.Optional(Type.Array(Id())) },
        'different-reporters',
      ),
    ),
    different_workspace: Type.Optional(
      Obj({ primary_workspace: Type.Optional(Id()), secondary_workspace: Type.Optional(Id()) }, 'different-workspace'),
    ),
    invalid_stage_transition: Type.Optional(
      Obj({ current_stage: Id(), requested_stage: Id() }, 'invalid-stage-transition'),
    ),
    locked: Type.Optional(Obj({}, 'locked')),
    stage_not_found_for_subtype: Type.Optional(
      Obj({ subtype: Type.Optional(Text()) }, 'stage-not-found-for-subtype'),
    ),
  },
  'merge-works-error-error',
);

const WorkflowComponentValidationError = Obj(
  {
    code: Type.String({ format: 'text', maxLength: 16 }),
    message: Type.String({ format: 'text', maxLength: 512 }),
    location: Type.Optional(
      Type.Union(['field', 'operation', 'workflow', 'workflow_step'].map((s) => Type.Literal(s))),
    ),
    field: Type.Optional(Obj({ field_path: Text(), parent_id: Id() }, 'workflow-error-field')),
    operation: Type.Optional(Obj({ id: Id() }, 'workflow-error-operation')),
    workflow: Type.Optional(Obj({ id: Id() }, 'workflow-error-workflow')),
    workflow_step: Type.Optional(Obj({ id: Id() }, 'workflow-error-workflow-step')),
  },
  'workflow-component-validation-error',
);

const badRequestVariants = [
  variant('artifact_already_attached_to_a_parent', { existing_parent: Id(), is_same: Type.Boolean() }, '400-artifact-already-attached-to-a-parent'),
  variant('bad_request', {}, '400-bad-request'),
  variant(
    'customization_validation_error',
    {
      subtype: Type.Union(CUSTOMIZATION_VALIDATION_SUBTYPES.map((s) => Type.Literal(s))),
      field_name: Type.Optional(Text()),
      reason: Type.Optional(Text()),
    },
    '400-customization-validation-error',
  ),
  variant('invalid_api_version', { value: Text() }, '400-invalid-api-version'),
  variant(
    'invalid_enum_value',
    { allowed_values: Type.Array(Text()), field_name: Text(), value: Text() },
    '400-invalid-enum-value',
  ),
  variant('invalid_field', { field_name: Text() }, '400-invalid-field'),
  variant('invalid_id', { field_name: Text() }, '400-invalid-id'),
  variant('merge_works_error', { errors: Type.Optional(Type.Array(MergeWorksErrorItem)) }, '400-merge-works-error'),
  variant(
    'missing_dependency',
    {
      dependencies: Type.Optional(
        Type.Array(Obj({ field_name: Text(), field_value: Text() }, 'missing-dependency-dependency')),
      ),
      dependent_field_name: Type.Optional(Text()),
      dependent_field_value: Type.Optional(Text()),
      provided_field_name: Type.Optional(Text()),
      provided_field_value: Type.Optional(Text()),
    },
    '400-missing-dependency',
  ),
  variant('missing_required_field', { field_name: Text() }, '400-missing-required-field'),
  variant('parse_error', {}, '400-parse-error'),
  variant('stale_schema_fragments', {}, '400-stale-schema-fragments'),
  variant('unexpected_id_type', { field_name: Text() }, '400-unexpected-id-type'),
  variant(
    'unexpected_json_type',
    { actual: JsonTypeName, expected: JsonTypeName, field_name: Text() },
    '400-unexpected-json-type',
  ),
  variant(
    'value_not_permitted',
    { field_name: Text(), allowed_values: Type.Optional(Type.Array(Text())), reason: Type.Optional(Text()) },
    '400-value-not-permitted',
  ),
  variant(
    'workflow_component_validation_errors',
    { errors: Type.Optional(Type.Array(WorkflowComponentValidationError)) },
    '400-workflow-component-validation-errors',
  ),
] as const;

export const BAD_REQUEST_TYPES = badRequestVariants.map((v) => v.properties.type.const);
export type BadRequestType = (typeof badRequestVariants)[number]['properties']['type']['const'];

export const ErrorBadRequest = Discriminated('type', [...badRequestVariants], 'error-bad-request');

// One-variant envelopes are still discriminated, so an unknown `type` reads as such.
export const ErrorUnauthorized = Discriminated(
  'type',
  [variant('unauthenticated', {}, 'error-unauthorized-unauthenticated')],
  'error-unauthorized',
);
export const ErrorForbidden = Discriminated('type', [variant('forbidden', {}, 'error-forbidden-forbidden')], 'error-forbidden');
export const ErrorConflict = Discriminated('type', [variant('conflict', {}, 'error-conflict-conflict')], 'error-conflict');
export const ErrorTooManyRequests = Discriminated(
  'type',
  [variant('too_many_requests', { retry_after: Type.Optional(Int64()) }, 'error-too-many-requests-too-many-requests')],
  'error-too-many-requests',
);
export const ErrorInternalServerError = Discriminated(
  'type',
  [variant('internal_error', { reference_id: Type.Optional(Text()) }, 'error-internal-server-error-internal-error')],
  'error-internal-server-error',
);
export const ErrorServiceUnavailable = Discriminated(
  'type',
  [variant('service_unavailable', {}, 'error-service-unavailable-service-unavailable')],
  'error-service-unavailable',
);

// 404 of the endpoints that document it (rev-users.delete, dev-users.deactivate): an object
// that does not exist. The create endpoints list no 404.
export const ErrorNotFound = Discriminated('type', [variant('not_found', {}, 'error-not-found-not-found')], 'error-not-found');

/** The errors page's only 404 body: untyped, unlike every other error (docs inconsistency). */
export const RouteNotFound = Obj({ message: Type.Literal('route not found') }, 'route-not-found');

