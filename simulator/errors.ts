import { JSON_TYPE_NAMES } from '../api-model/shapes/errors.ts';
import type { Violation } from '../api-model/prose-rules/index.ts';

/**
 * The error bodies the simulator answers, every one a documented envelope
 * (api-model/shapes/errors.ts). The docs never say which 400 `type` each rule breach gets
 * (basis "assumed"); the choices below pick the variant whose own fields describe the
 * breach, and `field_name` is always the top-level request field concerned, with the
 * exact place (an RFC 6901 pointer) in `detail`.
 */
type Json = Record<string, unknown>;

export const badRequest = (type: string, message: string, extra: Json = {}): Json => ({ type, message, ...extra });

export const parseError = (message: string) => badRequest('parse_error', message);

const isJsonTypeName = (t: unknown): boolean => (JSON_TYPE_NAMES as readonly unknown[]).includes(t);

export const violationBody = (v: Violation): Json => {
  const detail = v.pointer === '' ? undefined : `at ${v.pointer}`;
  const withDetail = (body: Json) => (detail ? { ...body, detail } : body);
  switch (v.kind) {
    case 'not-an-object':
      return parseError(`the request body must be a JSON object, got ${v.actual ?? 'something else'}`);
    case 'wrong-json-type':
      if (isJsonTypeName(v.expected) && isJsonTypeName(v.actual)) {
        return withDetail(
          badRequest('unexpected_json_type', v.message, { field_name: v.field, expected: v.expected, actual: v.actual }),
        );
      }
      return withDetail(badRequest('invalid_field', v.message, { field_name: v.field }));
    case 'missing-required':
      return withDetail(badRequest('missing_required_field', v.message, { field_name: v.field }));
    case 'enum': {
      const allowed = (v.expected ?? '').split('|').filter((s) => s.length > 0);
      let value = v.actual ?? '';
      try {
        const parsed = JSON.parse(value);
        if (typeof parsed === 'string') value = parsed;
      } catch {
        // keep the raw text
      }
      return withDetail(badRequest('invalid_enum_value', v.message, { field_name: v.field, allowed_values: allowed, value }));
    }
    case 'e164':
      return withDetail(badRequest('value_not_permitted', v.message, { field_name: v.field, reason: 'phone numbers must be in E.164 format' }));
    case 'custom-schema-spec':
      // The field is not in any schema the request asked for: a customization error that
      // says so, rather than missing_dependency, whose fields cannot name a custom field.
      return withDetail(
        badRequest('customization_validation_error', v.message, {
          subtype: 'field_not_in_schema',
          field_name: v.field,
          reason: v.expected ? `needs ${v.expected}` : 'no schema specified',
        }),
      );
  }
};

export const unauthenticated = () => ({
  type: 'unauthenticated',
  message: 'a token is required: send Authorization: Bearer <token> or Authorization: <token>',
});
export const forbidden = () => ({ type: 'forbidden', message: 'this token may not create or change users' });
export const notFound = (id: string) => ({ type: 'not_found', message: `no user with id ${JSON.stringify(id).slice(0, 200)}` });
export const routeNotFound = () => ({ message: 'route not found' });
export const conflict = (what: string) => ({ type: 'conflict', message: `${what} is already taken by another Rev user` });
export const tooManyRequests = (retryAfterS: number | undefined): Json =>
  retryAfterS === undefined
    ? { type: 'too_many_requests', message: 'rate limit exceeded' }
    : { type: 'too_many_requests', message: 'rate limit exceeded', retry_after: retryAfterS };
export const internalError = (referenceId: string) => ({
  type: 'internal_error',
  message: 'an internal error occurred',
  reference_id: referenceId,
});
export const serviceUnavailable = () => ({ type: 'service_unavailable', message: 'the service is temporarily unavailable' });
