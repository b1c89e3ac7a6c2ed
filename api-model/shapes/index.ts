// The documented shapes: one source of truth for the simulator, the Pact matchers, the
// drift check and the property oracles.
export * from './common.ts';
export * from './endpoints.ts';
export * from './errors.ts';
export * from './headers.ts';
export * from './users.ts';
export * from './validate.ts';
export * from './views.ts';
export type { Static } from '@sinclair/typebox';
