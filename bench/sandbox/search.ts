/**
 * The HubSpot sandbox's object search at size (not a test): what a drift read costs per request against the
 * sandbox, so that benches with many contacts can be planned (bench/README.md#watch-latency-cdp-run---every).
 *
 *   npx tsx bench/sandbox/search.ts [--contacts 60000] [--searches 10]
 *
 * Creates `--contacts` contacts through the batch API, then times `--searches` pages of a search as the drift
 * reader sends it (modified since a time, sorted by `lastmodifieddate`, 200 a page) against the same pages without
 * the sort, in the same run, and prints milliseconds per search and the ratio; then what each request of a steady
 * drift check costs (modified in the last two minutes, the archived listing, the live total).
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_SANDBOX_TOKEN, startHubSpotSandbox } from '@cdp-oss/crm-sandbox';

const { values } = parseArgs({ options: { contacts: { type: 'string', default: '60000' }, searches: { type: 'string', default: '10' } } });
const contacts = Number(values.contacts);
const searches = Math.max(1, Number(values.searches));

const sandbox = await startHubSpotSandbox({ requestsPer10s: 0, searchPerSecond: 0 });
const post = async (path: string, body: unknown): Promise<unknown> => {
  const res = await fetch(sandbox.url + path, { method: 'POST', headers: { authorization: `Bearer ${DEFAULT_SANDBOX_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
};
try {
  for (let b = 0; b * 100 < contacts; b++) {
    const inputs = Array.from({ length: Math.min(100, contacts - b * 100) }, (_, i) => ({ properties: { email: `person${b * 100 + i}@example.com` } }));
    await post('/crm/v3/objects/contacts/batch/create', { inputs });
  }
  const page = async (sorted: boolean): Promise<number> => {
    const started = performance.now();
    for (let k = 0; k < searches; k++) {
      await post('/crm/v3/objects/contacts/search', {
        filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: '0' }] }],
        sorts: sorted ? ['lastmodifieddate'] : [],
        properties: ['email'],
        limit: 200,
        after: String(k * 200),
      });
    }
    return (performance.now() - started) / searches;
  };
  // A steady drift check (hubspot-drift.ts): the contacts modified since the last check (ten, updated after the
  // others were created), the archived listing and the live total, each request timed alone.
  const get = async (path: string): Promise<unknown> => {
    const res = await fetch(sandbox.url + path, { headers: { authorization: `Bearer ${DEFAULT_SANDBOX_TOKEN}` } });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  await sleep(5);
  const since = String(Date.now());
  await post('/crm/v3/objects/contacts/batch/update', { inputs: Array.from({ length: 10 }, (_, i) => ({ id: String(101 + i * 7), properties: { firstname: 'Changed' } })) });
  const drift = {
    'modified since': () => post('/crm/v3/objects/contacts/search', { filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: since }] }], sorts: ['lastmodifieddate'], properties: ['email'], limit: 200, after: '0' }),
    'archived listing': () => get('/crm/v3/objects/contacts?limit=100&archived=true&properties=hs_object_id'),
    'live total': () => post('/crm/v3/objects/contacts/search', { filterGroups: [], sorts: [], properties: ['hs_object_id'], limit: 1, after: '0' }),
  };
  const timed = async (f: () => Promise<unknown>): Promise<number> => {
    const started = performance.now();
    for (let k = 0; k < searches; k++) await f();
    return (performance.now() - started) / searches;
  };
  const driftMs = Object.entries(drift).map(([name, f]) => [name, 0] as [string, number]);
  for (const entry of driftMs) entry[1] = await timed(drift[entry[0] as keyof typeof drift]);
  await page(true); // warm up
  const unsorted = await page(false);
  const sorted = await page(true);
  console.log(`${contacts.toLocaleString('en-US')} contacts, ${searches} pages of 200:`);
  console.log(`  modified since, unsorted   ${unsorted.toFixed(1)} ms per search`);
  console.log(`  modified since, sorted     ${sorted.toFixed(1)} ms per search   (${(sorted / unsorted).toFixed(2)}x unsorted)`);
  console.log(`a steady drift check's requests, ms each: ${driftMs.map(([name, ms]) => `${name} ${ms.toFixed(1)}`).join(', ')}`);
} finally {
  await sandbox.close();
}
