/**
 * The account stages on every engine (docs/accounts.md): DuckDB and, when installed, the BigQuery and
 * Snowflake emulators, in the conformance style (test/conformance/warehouse-targets.ts). The same
 * sources give the same accounts, memberships, roll-ups and account segment changes everywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject, type LoadedProject } from '../../src/config/load-project.js';
import { cdpTable } from '../../src/model/relations.js';
import { buildProject } from '../../src/run/build-project.js';
import type { Value, Warehouse } from '../../src/warehouse/warehouse.js';
import { loadTable, type ColumnSpec } from '../conformance/load-table.js';
import { warehouseTargets, type RunningTarget } from '../conformance/warehouse-targets.js';
import { removeProject, writeProject, yaml } from '../helpers/project.js';

const MODELS = yaml`
  sources:
    - name: contacts
      table: raw.contacts
      timestamp: updated_at
      identifiers: [{ column: email, type: email }]
    - name: orders
      table: raw.orders
      timestamp: ordered_at
      identifiers: [{ column: email, type: email }]
    - name: crm_accounts
      entity: account
      table: raw.crm_accounts
      identifiers: [{ column: crm_id, type: crm_account_id }, { column: website, type: domain }]
  identity:
    id_types:
      email: { priority: 1 }
  traits:
    - { name: orders_30d, from: orders, aggregate: count, window: 30d }
    - { name: spend, from: orders, aggregate: sum, column: amount }
  segments:
    - { name: buyers, where: "orders_30d > 0" }
  accounts:
    id_types:
      crm_account_id: { priority: 1 }
      domain: { priority: 2, normalize: domain }
    membership:
      - { source: contacts, column: crm_account, id_type: crm_account_id }
      - { email_domain: true }
    traits:
      - { name: members, rollup: count }
      - { name: buyers, rollup: count, segment: buyers }
      - { name: spend, rollup: sum, trait: spend }
      - { name: top_spend, rollup: max, trait: spend }
    segments:
      - { name: buying_accounts, where: "buyers >= 2" }
`;
const AS_OF = new Date('2026-03-31T00:00:00Z');
const CONTACTS: ColumnSpec = [['email', 'string'], ['crm_account', 'string'], ['updated_at', 'timestamp']];
const ORDERS: ColumnSpec = [['email', 'string'], ['amount', 'float'], ['ordered_at', 'timestamp']];
const contactRows = (bobAccount: string | null): (readonly Value[])[] => [
  ['ann@acme.com', 'A1', '2026-03-01T00:00:00Z'],
  ['bob@acme.com', bobAccount, '2026-03-01T00:00:00Z'],
  ['cy@hotmail.com', 'B1', '2026-03-01T00:00:00Z'],
  ['dee@gmail.com', null, '2026-03-01T00:00:00Z'],
];
const ORDER_ROWS: (readonly Value[])[] = [
  ['ann@acme.com', 10.5, '2026-03-20T00:00:00Z'],
  ['bob@acme.com', 4, '2026-03-21T00:00:00Z'],
  ['bob@acme.com', 6, '2026-01-01T00:00:00Z'],
  ['cy@hotmail.com', 7.25, '2026-03-25T00:00:00Z'],
  ['dee@gmail.com', 100, '2026-03-25T00:00:00Z'],
];

for (const target of await warehouseTargets()) {
  describe.skipIf(!target.available)(`accounts: ${target.name}`, () => {
    let running: RunningTarget;
    let w: Warehouse;
    let dir: string;
    let project: LoadedProject;
    const table = (name: string) => w.dialect.table(cdpTable(project, name));
    const build = (runId: string) => buildProject({ project, warehouse: w, runId, asOf: AS_OF, fullRefresh: false, log: () => undefined });
    const accountOf = async (type: string, value: string) =>
      String((await w.query(`select account_id from ${table('account_identifiers')} where id_type = '${type}' and id_value = '${value}'`))[0]?.account_id);

    beforeAll(async () => {
      dir = await writeProject({ 'cdp.config.yaml': 'project: t\n', 'models/m.yaml': MODELS });
      project = (await loadProject(dir, {})).project as LoadedProject;
      running = await target.start();
      w = await running.open();
      await loadTable(w, { schema: 'raw', name: 'contacts' }, CONTACTS, contactRows(null));
      await loadTable(w, { schema: 'raw', name: 'orders' }, ORDERS, ORDER_ROWS);
      await loadTable(w, { schema: 'raw', name: 'crm_accounts' }, [['crm_id', 'string'], ['website', 'string']], [['A1', 'https://WWW.acme.com/home'], ['B1', 'beta.io']]);
    }, 120_000);
    afterAll(async () => {
      await w?.close();
      await running?.stop();
      if (dir) await removeProject(dir);
    });

    it('builds accounts, memberships and exact roll-ups; a move is recorded once', async () => {
      await build('r1');
      const acme = await accountOf('domain', 'acme.com');
      const beta = await accountOf('crm_account_id', 'B1');
      expect(await accountOf('crm_account_id', 'A1')).toBe(acme);
      const members = async () =>
        Object.fromEntries(
          (await w.query(`select i.id_value as email, m.account_id, m.reason from ${table('account_members')} m join ${table('identifiers')} i on i.profile_id = m.profile_id`)).map((r) => [
            String(r.email),
            `${r.account_id === acme ? 'acme' : r.account_id === beta ? 'beta' : String(r.account_id)} ${String(r.reason)}`,
          ]),
        );
      expect(await members()).toEqual({ 'ann@acme.com': 'acme contacts.crm_account', 'bob@acme.com': 'acme email_domain:acme.com', 'cy@hotmail.com': 'beta contacts.crm_account' });
      const accounts = async () => Object.fromEntries((await w.query(`select account_id, members, buyers, spend, top_spend from ${table('accounts')}`)).map((r) => [String(r.account_id), [Number(r.members), Number(r.buyers), Number(r.spend), Number(r.top_spend)]]));
      // acme: ann 10.5 (buyer), bob 4 + 6 (buyer, one order in 30 days); beta: cy 7.25.
      expect((await accounts())[acme]).toEqual([2, 2, 20.5, 10.5]);
      expect((await accounts())[beta]).toEqual([1, 1, 7.25, 7.25]);
      expect(await w.query(`select account_id, segment from ${table('account_segment_members')}`)).toEqual([{ account_id: acme, segment: 'buying_accounts' }]);

      await loadTable(w, { schema: 'raw', name: 'contacts' }, CONTACTS, contactRows('B1'));
      await build('r2');
      expect((await members())['bob@acme.com']).toBe('beta contacts.crm_account');
      expect(await w.query(`select from_account_id, to_account_id from ${table('account_membership_changes')} where run_id = 'r2'`)).toEqual([{ from_account_id: acme, to_account_id: beta }]);
      expect((await accounts())[acme]).toEqual([1, 1, 10.5, 10.5]);
      expect((await accounts())[beta]).toEqual([2, 2, 17.25, 10]);
      const changes = await w.query(`select segment, account_id, change from ${table('account_segment_changes')} where run_id = 'r2' order by change`);
      expect(changes).toEqual([
        { segment: 'buying_accounts', account_id: beta, change: 'enter' },
        { segment: 'buying_accounts', account_id: acme, change: 'exit' },
      ]);

      await build('r3');
      expect(await w.query(`select count(*) as n from ${table('account_membership_changes')} where run_id = 'r3'`)).toEqual([{ n: 0 }]);
    }, 300_000);
  });
}
