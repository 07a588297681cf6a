// The README's first command: sample data -> build (-> sync to local CRM sandboxes, once available).
import { existsSync } from 'node:fs';
import { main } from '../dist/cli/main.js';

const cdp = async (...args) => {
  console.log(`\n$ cdp ${args.join(' ')}`);
  const code = await main(['node', 'cdp', ...args]);
  if (code !== 0) process.exit(code);
};

if (!existsSync(new URL('../data/web_events.csv', import.meta.url))) await cdp('generate', '--people', '2000');
await cdp('build');
