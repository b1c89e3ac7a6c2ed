/**
 * The pillars that bring heavy dependencies (Pact's native core and the official SDK;
 * autocannon), loaded when a command runs them: `serve`, `--help` and the other pillars
 * start without them (a served simulator holds about a third of the memory).
 */
export type ContractsModule = typeof import('../contracts/pact/index.ts');
export type LoadModule = typeof import('../load/index.ts');

export const loadContracts = (): Promise<ContractsModule> => import('../contracts/pact/index.ts');
export const loadLoad = (): Promise<LoadModule> => import('../load/index.ts');
/** Docs drift and the pact-vs-document check (PactFlow's comparator is large). */
export const loadSpec = (): Promise<typeof import('../docs-drift/index.ts')> => import('../docs-drift/index.ts');
