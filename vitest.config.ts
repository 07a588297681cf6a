import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests run the workspace package from its source, as tsc (tsconfig.json `paths`) and tsx read it;
    // the built CLI (bin/cdp.js -> dist/) loads its dist/ through node_modules.
    alias: { '@cdp-oss/crm-sandbox': fileURLToPath(new URL('./packages/crm-sandbox/src/index.ts', import.meta.url)) },
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
