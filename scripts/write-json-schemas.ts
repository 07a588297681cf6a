// Regenerates schemas/*.json from the zod schemas: `npx tsx scripts/write-json-schemas.ts`.
import { writeFile } from 'node:fs/promises';
import { jsonSchemas } from '../src/config/json-schemas.js';

for (const [file, schema] of Object.entries(jsonSchemas())) {
  await writeFile(new URL(`../schemas/${file}`, import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
}
