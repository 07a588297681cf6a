import { z } from 'zod';
import { configSchema, modelsFileSchema, syncSchema } from './schema.js';

/** JSON Schemas for editors (yaml-language-server), generated from the same zod schemas cdp validates with. */
export function jsonSchemas(): Record<string, unknown> {
  const options = { io: 'input', unrepresentable: 'any', target: 'draft-7' } as const;
  return {
    'cdp.config.schema.json': { title: 'cdp.config.yaml', ...z.toJSONSchema(configSchema, options) },
    'models.schema.json': { title: 'cdp models/*.yaml', ...z.toJSONSchema(modelsFileSchema, options) },
    'connector.schema.json': { title: 'cdp connectors/*.yaml', ...z.toJSONSchema(syncSchema, options) },
  };
}
