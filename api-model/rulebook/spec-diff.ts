import type { RuleInfo } from './types.ts';

/**
 * Docs drift: what a change between two DevRev OpenAPI documents does to a client written
 * from the older one. Every rule knows its direction: a property added to a request can
 * break that client (it never sends it), the same property added to a response cannot (it
 * never reads it). Ids follow oasdiff's names where oasdiff has one. The `pact-*` rules
 * map what @pactflow/openapi-pact-comparator finds when the committed pact meets a
 * document.
 */
export const SPEC_DIFF_RULES = {
  'endpoint-removed': {
    severity: 'error',
    basis: 'spec',
    reason: 'every call the client makes to it fails',
  },
  'endpoint-added': {
    severity: 'info',
    basis: 'spec',
    reason: 'a client that does not call it is unaffected',
  },
  'response-status-removed': {
    severity: 'error',
    basis: 'spec',
    reason: 'the client branches on a status the docs no longer promise; what comes instead it has no branch for',
  },
  'response-status-added': {
    severity: 'info',
    basis: 'spec',
    reason: 'a newly documented status; clients treat unknown statuses by class (4xx, 5xx)',
  },
  'request-media-type-removed': {
    severity: 'error',
    basis: 'spec',
    reason: 'the body the client sends is no longer accepted in its content type',
  },
  'request-media-type-added': {
    severity: 'info',
    basis: 'spec',
    reason: 'another accepted content type; the client keeps sending its own',
  },
  'response-media-type-removed': {
    severity: 'error',
    basis: 'spec',
    reason: 'the client decodes answers by a content type the docs no longer give',
  },
  'response-media-type-added': {
    severity: 'info',
    basis: 'spec',
    reason: 'another answer content type, negotiated only by clients that ask for it',
  },
  'request-body-became-required': {
    severity: 'error',
    basis: 'spec',
    reason: 'a client that sends no body is now rejected',
  },
  'request-body-became-optional': {
    severity: 'info',
    basis: 'spec',
    reason: 'the client keeps sending a body, which is still accepted',
  },
  'request-parameter-added-required': {
    severity: 'error',
    basis: 'spec',
    reason: 'the client never sends the new parameter, so every call is rejected',
  },
  'request-parameter-became-required': {
    severity: 'error',
    basis: 'spec',
    reason: 'calls that leave the parameter out are now rejected',
  },
  'request-parameter-became-optional': {
    severity: 'info',
    basis: 'spec',
    reason: 'the client keeps sending it, which is still accepted',
  },
  'request-parameter-added': {
    severity: 'info',
    basis: 'spec',
    reason: 'an optional parameter the client can ignore',
  },
  'request-parameter-removed': {
    severity: 'warning',
    basis: 'spec',
    reason: 'the client still sends it: the server may ignore it or reject it, the docs no longer say',
  },
  'request-property-added-required': {
    severity: 'error',
    basis: 'spec',
    reason: 'the client never sends the new property, so its requests are rejected',
  },
  'request-property-became-required': {
    severity: 'error',
    basis: 'spec',
    reason: 'requests that leave the property out are now rejected',
  },
  'request-property-added': {
    severity: 'info',
    basis: 'spec',
    reason: 'an optional property the client can leave out',
  },
  'request-property-became-optional': {
    severity: 'info',
    basis: 'spec',
    reason: 'the client keeps sending it, which is still accepted',
  },
  'request-property-removed': {
    severity: 'warning',
    basis: 'spec',
    reason: 'the client still sends it: the server may ignore it or reject it, the docs no longer say (oasdiff: warning)',
  },
  'request-property-type-narrowed': {
    severity: 'error',
    basis: 'spec',
    reason: 'values the client may send (a type, null, any value before an enum) are no longer accepted',
  },
  'request-property-type-widened': {
    severity: 'info',
    basis: 'spec',
    reason: 'everything the client sent before is still accepted',
  },
  'request-property-format-changed': {
    severity: 'warning',
    basis: 'spec',
    reason:
      'a format added or changed narrows what the server accepts; DevRev formats such as `id` and `text` are annotations a server may not enforce, so a warning, not an error',
  },
  'request-property-format-removed': {
    severity: 'info',
    basis: 'spec',
    reason: 'the server accepts more than before',
  },
  'format-annotation-changed': {
    severity: 'info',
    basis: 'spec',
    reason:
      'a format neither JSON Schema nor OpenAPI defines (DevRev\'s `text`, `id`) added, changed or dropped: no validator checks it and the docs give it no rule, so it constrains nothing',
  },
  'request-enum-value-removed': {
    severity: 'error',
    basis: 'spec',
    reason: 'a value the client may send is rejected',
  },
  'request-enum-value-added': {
    severity: 'info',
    basis: 'spec',
    reason: 'another accepted value; the client never sends it',
  },
  'request-discriminator-mapping-removed': {
    severity: 'error',
    basis: 'spec',
    reason: 'a variant the client may send is no longer accepted',
  },
  'request-discriminator-mapping-added': {
    severity: 'info',
    basis: 'spec',
    reason: 'another accepted variant; the client never sends it',
  },
  'response-property-removed': {
    severity: 'error',
    basis: 'spec',
    reason: 'the client reads a property the docs no longer promise and gets undefined',
  },
  'response-property-became-optional': {
    severity: 'error',
    basis: 'spec',
    reason: 'a property the client could rely on may now be absent',
  },
  'response-property-added': {
    severity: 'info',
    basis: 'spec',
    reason: 'a tolerant reader ignores a property it does not know',
  },
  'response-property-became-required': {
    severity: 'info',
    basis: 'spec',
    reason: 'the client gets a property it already handled as optional',
  },
  'response-property-type-changed': {
    severity: 'error',
    basis: 'spec',
    reason: 'a value of a type the client does not expect fails typed decoders and generated SDK models',
  },
  'response-property-type-narrowed': {
    severity: 'info',
    basis: 'spec',
    reason: 'fewer types (or no more null, or an enum where any value was allowed): everything sent is still something the client handles',
  },
  'response-property-became-nullable': {
    severity: 'error',
    basis: 'spec',
    reason: 'null where the old docs never allowed it crashes clients that dereference the value',
  },
  'response-property-format-changed': {
    severity: 'error',
    basis: 'spec',
    reason: 'a format changed or dropped (date-time, int64): the client parses the value by the old one',
  },
  'response-property-format-added': {
    severity: 'info',
    basis: 'spec',
    reason: 'the docs now say more precisely what was already sent',
  },
  'response-enum-value-added': {
    severity: 'warning',
    basis: 'spec',
    reason:
      "a strict client's exhaustive switch falls through on the new value. Warning, not error (oasdiff rates it so too): the docs announce it before it is sent, a tolerant client maps unknown values to a default, and the live drift check makes an undocumented one an error",
  },
  'response-enum-value-removed': {
    severity: 'info',
    basis: 'spec',
    reason: 'the client keeps a branch that is never taken',
  },
  'response-discriminator-mapping-added': {
    severity: 'warning',
    basis: 'spec',
    reason:
      'a new variant (e.g. a `dev_org` org summary): a strict client has no type to decode it into. Warning for the same reasons as a new enum value; the live drift check makes an undocumented variant an error',
  },
  'response-discriminator-mapping-removed': {
    severity: 'info',
    basis: 'spec',
    reason: 'the client keeps a variant that no longer comes',
  },
  'response-header-removed': {
    severity: 'error',
    basis: 'spec',
    reason:
      'the client reads a header the docs no longer promise (Retry-After or X-RateLimit-* on a 429 is how it paces its retries) and gets nothing; optional or not, like a response property removed',
  },
  'response-header-added': {
    severity: 'info',
    basis: 'spec',
    reason: 'a client ignores a header it does not read',
  },
  'response-header-became-optional': {
    severity: 'error',
    basis: 'spec',
    reason: 'a header the docs promised on every answer of its status (`required: true`) may now be absent, like a response property that became optional',
  },
  'response-header-became-required': {
    severity: 'info',
    basis: 'spec',
    reason: 'the client gets a header it already handled as optional',
  },
  'response-header-type-changed': {
    severity: 'error',
    basis: 'spec',
    reason: 'the client parses the header by the old type (Retry-After as a number of seconds); a value of another type fails that parse',
  },
  'response-header-type-narrowed': {
    severity: 'info',
    basis: 'spec',
    reason: 'fewer types (an integer where a number was documented): every value is still one the client parses',
  },
  'security-requirement-added': {
    severity: 'error',
    basis: 'spec',
    reason: 'the credentials the client sends (say, only the bearer token) no longer meet any requirement the operation documents, so its calls are refused',
  },
  'security-requirement-removed': {
    severity: 'warning',
    basis: 'spec',
    reason:
      'the operation asks for less than before (a scheme, or authentication at all): the client keeps sending its token, which still works; a warning because DevRev documents a token on every API, so a client generated from the new document that sends none is likely refused',
  },
  'security-alternative-added': {
    severity: 'info',
    basis: 'spec',
    reason: 'another way to authenticate; the client keeps using the one it has',
  },
  'security-scheme-changed': {
    severity: 'error',
    basis: 'spec',
    reason: 'the client sends its credentials the way the old scheme says (an HTTP bearer token in Authorization); another type, scheme or header name is not what the server reads',
  },
  'pact-operation-undocumented': {
    severity: 'error',
    basis: 'spec',
    reason: 'the pact calls a path or method the document does not have',
  },
  'pact-request-incompatible': {
    severity: 'error',
    basis: 'spec',
    reason: 'the consumer sends a request (body, header, query, auth, content type) the document does not accept',
  },
  'pact-status-undocumented': {
    severity: 'error',
    basis: 'spec',
    reason: 'the consumer expects a status the document does not list',
  },
  'pact-response-incompatible': {
    severity: 'error',
    basis: 'spec',
    reason: 'the consumer relies on an answer (a property, a type, a header) the document does not describe',
  },
  'pact-unverifiable': {
    severity: 'warning',
    basis: 'spec',
    reason: 'the comparator could not check part of an interaction against the document (no schema, unknown content type)',
  },
} as const satisfies Record<string, RuleInfo>;

export type SpecDiffRuleId = keyof typeof SPEC_DIFF_RULES;
