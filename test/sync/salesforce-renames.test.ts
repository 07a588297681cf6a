import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SalesforceSandbox } from '@cdp-oss/crm-sandbox';
import { campaignEmails, contacts, highValueEmails, makeProject, people, projectFiles, runCdp, seed, startSandbox, type ConnectorOptions, useSandbox } from './salesforce-fixture.js';

let sandbox: SalesforceSandbox;
const dirs = useSandbox(startSandbox, (started) => (sandbox = started), { resetEach: true, removeProjects: 'afterAll' });

async function edit(dir: string, connector: ConnectorOptions): Promise<void> {
  await writeFile(join(dir, 'connectors/contacts.yaml'), projectFiles(connector)['connectors/contacts.yaml']);
}

const CAMPAIGN = (name: string) => `segments:\n  high_value: { campaign: "${name}" }\n  loyal: { field: CDP_Loyal__c }`;

describe('a Salesforce connector whose campaign is renamed (jsforce against the sandbox)', () => {
  it('moves the members from the old campaign to the new one; plan says so first', async () => {
    const dir = await makeProject({ segments: CAMPAIGN('CDP: High value') });
    dirs.push(dir);
    const profiles = people(30);
    await seed(dir, profiles);
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    const members = highValueEmails(profiles);
    expect(campaignEmails(sandbox, 'CDP: High value')).toEqual(members);

    await edit(dir, { segments: CAMPAIGN('CDP: Big spenders') });
    const plan = await runCdp(dir, sandbox, ['plan']);
    expect(plan.stdout).toContain(`high_value: move ${members.length} members from campaign "CDP: High value" to campaign "CDP: Big spenders" (target renamed)`);
    const sync = await runCdp(dir, sandbox, ['sync']);
    expect(sync.stderr).toBe('');
    expect(sync.code).toBe(0);
    expect(campaignEmails(sandbox, 'CDP: Big spenders')).toEqual(members);
    expect(campaignEmails(sandbox, 'CDP: High value')).toEqual([]);
    expect(contacts(sandbox).size).toBe(30);
    sandbox.resetStats();
    expect((await runCdp(dir, sandbox, ['sync'])).code).toBe(0);
    expect(sandbox.stats.totalRequests).toBe(0);
  });
});
