// The rules DevRev states in prose, plus the request schema, as named functions: the
// simulator enforces them and the property tests use them as their independent oracle.
export * from './custom-fields.ts';
export * from './e164.ts';
export * from './request.ts';
