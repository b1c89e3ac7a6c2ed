import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv04Module from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';

// The official SARIF 2.1.0 schema, as Microsoft's SARIF SDK ships it (rtm.5, the text
// OASIS published as 2.1.0), read from the installed package, never copied.
const require = createRequire(import.meta.url);
const SCHEMA = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;

// CommonJS default exports, seen from ESM.
const Ajv04 = Ajv04Module as unknown as typeof Ajv04Module.default;
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** A validator for SARIF 2.1.0 logs, every report written by any command goes through. */
export const sarifValidator = () => {
  // The schema is draft-04, and one of its patterns (a language tag) is not valid under
  // the `u` flag Ajv uses by default: it is read as a plain ECMAScript pattern, as written.
  const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(SCHEMA);
};
