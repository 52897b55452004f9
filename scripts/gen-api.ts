import { writeFileSync } from 'node:fs';
import { serverOpenApiDocument, WIRE_TYPES_PATH, wireTypesOf } from './wire-types.js';

writeFileSync(WIRE_TYPES_PATH, await wireTypesOf(await serverOpenApiDocument()));
process.stdout.write(`wrote ${WIRE_TYPES_PATH}\n`);
