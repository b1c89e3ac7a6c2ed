/**
 * The pact's participants and file name, apart from the consumer code so that the broker,
 * the CLI and the report writers can name them without loading Pact's native core (or
 * importing the contracts pillar).
 */
export const CONSUMER = 'devrev-sdk-integrator';
export const PROVIDER = 'devrev-api';
export const PACT_FILE = `${CONSUMER}-${PROVIDER}.json`;
