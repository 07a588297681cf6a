// The README's first command: sample data -> CRM sandboxes holding the sample's contacts -> pull them
// into DuckDB -> build -> sync to HubSpot and Salesforce -> new activity arrives -> a second run pulls
// only what changed in the CRMs and sends only what changed in the warehouse.
import { existsSync } from 'node:fs';
import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { main } from '../dist/cli/main.js';
import { loadProject } from '../dist/config/load-project.js';
import { seedCrmExports } from '@cdp-oss/crm-sandbox';
import { startSandboxes } from '../dist/cli/start-sandboxes.js';

// The sample project in this repository; CDP_DEMO_DIR runs it on a copy elsewhere (test/readme/demo.test.ts).
const root = process.env.CDP_DEMO_DIR ?? new URL('..', import.meta.url).pathname;
const data = (file) => join(root, 'data', file);

const cdp = async (env, ...args) => {
  console.log(`\n$ cdp ${args.join(' ')}`);
  const code = await main(['node', 'cdp', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    interactive: Boolean(process.stderr.isTTY),
  });
  if (code !== 0 && code !== 3) process.exit(code);
};

// A clean slate: the sandboxes start empty, so the warehouse's record of what they hold must too.
await rm(join(root, '.cdp'), { recursive: true, force: true });
await rm(data('web_events_live.csv'), { force: true });
// Data from an older cdp (before app_events carried the visit's anonymous_id) is regenerated too.
const current = existsSync(data('app_events.csv')) && (await readFile(data('app_events.csv'), 'utf8')).split('\n', 1)[0].includes('anonymous_id');
if (!existsSync(data('web_events.csv')) || !current) await cdp({}, 'generate', '--people', '2000');

const { project } = await loadProject(root, {});
const sandboxes = await startSandboxes(project, root, { requestsPer10s: 100 });
console.log(`HubSpot sandbox ${sandboxes.hubspot.url}, Salesforce sandbox ${sandboxes.salesforce.url}`);
// The CRMs start as a company's would: holding the contacts sales already has (the sample's exports).
const seeded = await seedCrmExports(root, sandboxes);
console.log(`The sandboxes hold ${seeded.hubspotContacts} HubSpot and ${seeded.salesforceContacts} Salesforce contacts; \`--pull\` copies them into the warehouse, where identity links them.`);
try {
  await cdp(sandboxes.env, 'run', '--pull');

  // New activity: five people who have not bought look at pricing three times today.
  const visitors = await pricingVisitors(5);
  const now = new Date().toISOString().replace('T', ' ').slice(0, 19);
  const header = (await readFile(data('web_events.csv'), 'utf8')).split('\n')[0];
  await writeFile(data('web_events_live.csv'), `${header}\n`);
  for (const [i, v] of visitors.entries()) {
    for (let k = 0; k < 3; k++) {
      await appendFile(data('web_events_live.csv'), `live-${i}-${k},${now},${v.anonymous_id},${v.user_id},,page,,/pricing,,desktop\n`);
    }
  }
  console.log(`\n(${visitors.length} visitors who have not bought just viewed /pricing three times each)`);
  await cdp(sandboxes.env, 'run', '--pull');
  const hs = sandboxes.hubspot.stats;
  console.log(`\nHubSpot sandbox served ${hs.totalRequests} requests, ${hs.writeRequests} of them writes, over both runs.`);
  await cdp(sandboxes.env, 'history', '--limit', '3');
} finally {
  await sandboxes.close();
}

/** Logged-in web visitors with no completed order (read from the sample files). */
async function pricingVisitors(n) {
  const buyers = new Set(
    (await readFile(data('orders.csv'), 'utf8')).split('\n').slice(1).map((l) => l.split(',')[2]).filter(Boolean),
  );
  const seen = new Map();
  for (const line of (await readFile(data('web_events.csv'), 'utf8')).split('\n').slice(1)) {
    const [, , anonymous_id, user_id] = line.split(',');
    if (user_id && anonymous_id && !buyers.has(user_id) && !seen.has(user_id)) seen.set(user_id, { anonymous_id, user_id });
    if (seen.size >= n * 4) break;
  }
  return [...seen.values()].filter((_, i) => i % 4 === 0).slice(0, n);
}
