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

  it('describe every property, for editor hover help (from .describe() on the zod schemas)', () => {
    const missing: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`));
      if (typeof node !== 'object' || node === null) return;
      const properties = (node as { properties?: Record<string, { description?: string }> }).properties;
      for (const [key, property] of Object.entries(properties ?? {})) if (!property.description?.trim()) missing.push(`${path}.${key}`);
      for (const [key, child] of Object.entries(node)) walk(child, `${path}/${key}`);
    };
    const schemas = jsonSchemas();
    for (const [file, schema] of Object.entries(schemas)) walk(schema, file);
    expect(missing).toEqual([]);
    const models = schemas['models.schema.json'] as { properties: Record<string, { items?: { properties: Record<string, { description: string }> } }> };
    expect(models.properties.sources.items?.properties.timestamp.description).toMatch(/when the row happened/);
  });
});
