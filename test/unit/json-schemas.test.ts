import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { jsonSchemas } from '../../src/config/json-schemas.js';

describe('shipped JSON Schemas', () => {
  it('match the zod schemas (regenerate with `npx tsx scripts/write-json-schemas.ts`)', async () => {
    for (const [file, schema] of Object.entries(jsonSchemas())) {
      const shipped = JSON.parse(await readFile(new URL(`../../schemas/${file}`, import.meta.url), 'utf8'));
      expect(shipped, file).toEqual(JSON.parse(JSON.stringify(schema)));
    }
  });

  it('let editors complete connector keys and check their values', () => {
    const connector = jsonSchemas()['connector.schema.json'] as { properties: Record<string, { enum?: string[] }>; additionalProperties: boolean };
    expect(Object.keys(connector.properties)).toEqual(expect.arrayContaining(['sync', 'destination', 'match', 'mode', 'fields', 'segments']));
    expect(connector.properties.mode.enum).toEqual(['upsert', 'update', 'mirror']);
    expect(connector.additionalProperties).toBe(false);
  });
});
