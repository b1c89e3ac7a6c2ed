import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../main.ts';
import { CONFIG_SCHEMA_NAME, configSchemaText } from './config-schema.ts';

// `npm run config:schema`: writes the config file's schema the package ships (editors
// complete devrev-gate.config.yaml through its $schema line). A test fails when it is stale.
const file = fileURLToPath(new URL(`../../${CONFIG_SCHEMA_NAME}`, import.meta.url));
writeFileSync(file, configSchemaText(buildProgram()));
process.stdout.write(`${file}\n`);
