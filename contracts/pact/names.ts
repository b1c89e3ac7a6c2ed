/**
 * The pact's participants and file name, apart from the consumer code so that the broker
 * and the CLI can name them without loading Pact's native core.
 */
export const CONSUMER = 'devrev-sdk-integrator';
export const PROVIDER = 'devrev-api';
export const PACT_FILE = `${CONSUMER}-${PROVIDER}.json`;
