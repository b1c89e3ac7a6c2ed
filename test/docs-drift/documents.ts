import type { OpenApiDocument } from '../../api-model/openapi/document.ts';

/**
 * A small OpenAPI document written for these tests, shaped like DevRev's: request and
 * answer schemas behind `$ref`, an answer composed with allOf, a discriminated org summary
 * in the answer and a discriminated `kind` in the request, a 429 with its headers (one
 * behind `$ref`), a bearer scheme the document requires and one operation restates. Each
 * rule's test changes one thing in a copy of it.
 */
const json = (ref: string) => ({ 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } });

// biome-ignore lint/suspicious/noExplicitAny: each test edits the document where its rule needs
type Editable = Record<string, any>;

export const baseDocument = (): OpenApiDocument & Editable & { paths: Editable } => ({
  openapi: '3.0.3',
  info: { title: 'test', version: '1' },
  paths: {
    '/rev-users.create': {
      post: {
        parameters: [{ name: 'mode', in: 'query', required: false, schema: { type: 'string' } }],
        requestBody: { content: json('req') },
        responses: {
          '201': { description: 'created', content: json('res') },
          '400': { description: 'bad request', content: json('err') },
          '429': {
            description: 'too many requests',
            headers: { 'Retry-After': { schema: { type: 'integer' } }, 'X-RateLimit-Remaining': { $ref: '#/components/headers/remaining' } },
            content: json('err'),
          },
        },
      },
    },
    '/dev-users.create': {
      post: {
        security: [{ bearer: [] }],
        requestBody: { required: true, content: json('req') },
        responses: { '201': { description: 'created', content: json('res') } },
      },
    },
  },
  security: [{ bearer: [] }],
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, key: { type: 'apiKey', in: 'header', name: 'X-Api-Key' } },
    headers: { remaining: { schema: { type: 'integer' } } },
    schemas: {
      req: {
        type: 'object',
        required: ['email'],
        properties: {
          email: { type: 'string' },
          state: { type: 'string', enum: ['shadow', 'active'] },
          count: { type: 'number' },
          when: { type: 'string', format: 'date-time' },
          kind: { $ref: '#/components/schemas/kind' },
        },
      },
      kind: {
        type: 'object',
        discriminator: { propertyName: 'type', mapping: { a: '#/components/schemas/kind-a' } },
        oneOf: [{ $ref: '#/components/schemas/kind-a' }],
        properties: { type: { type: 'string' } },
        required: ['type'],
      },
      'kind-a': { type: 'object', properties: { a: { type: 'string' } } },
      'kind-b': { type: 'object', properties: { b: { type: 'string' } } },
      res: { type: 'object', required: ['rev_user'], properties: { rev_user: { $ref: '#/components/schemas/user' } } },
      base: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, display_id: { type: 'string' } } },
      user: {
        allOf: [
          { $ref: '#/components/schemas/base' },
          {
            type: 'object',
            required: ['state'],
            properties: {
              state: { type: 'string', enum: ['active', 'shadow'] },
              created_date: { type: 'string', format: 'date-time' },
              age: { type: 'integer' },
              org: { $ref: '#/components/schemas/org' },
            },
          },
        ],
      },
      org: {
        type: 'object',
        discriminator: { propertyName: 'type', mapping: { rev_org: '#/components/schemas/rev-org' } },
        oneOf: [{ $ref: '#/components/schemas/rev-org' }],
        properties: { type: { type: 'string' } },
        required: ['type'],
      },
      'rev-org': { type: 'object', properties: { name: { type: 'string' } } },
      'dev-org': { type: 'object', properties: { name: { type: 'string' } } },
      err: { type: 'object', properties: { type: { type: 'string' } } },
    },
  },
});
