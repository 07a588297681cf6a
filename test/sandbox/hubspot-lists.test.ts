import { PublicOrFilterBranchFilterBranchTypeEnum } from '@hubspot/api-client/lib/codegen/crm/lists/index.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { COMPANIES, CONTACTS } from '@cdp-oss/crm-sandbox';
import type { HubSpotSandbox } from '@cdp-oss/crm-sandbox';
import { apiError, raw, sdk, startSandbox, UUID } from './hubspot-sandbox-helpers.js';

let sandbox: HubSpotSandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

function contacts(n: number): string[] {
  return Array.from({ length: n }, (_, i) => sandbox.store.createRecord(CONTACTS, { email: `m${i}@example.com` }).id);
}

async function manualList(name = 'CDP: High intent'): Promise<string> {
  const created = await sdk(sandbox).crm.lists.listsApi.create({ name, objectTypeId: '0-1', processingType: 'MANUAL' });
  return created.list.listId;
}

describe('lists', () => {
  it('creates with 200 at /crm/v3/lists and /crm/v3/lists/', async () => {
    const created = await sdk(sandbox).crm.lists.listsApi.create({ name: 'A', objectTypeId: '0-1', processingType: 'MANUAL' });
    expect(created.list).toMatchObject({ name: 'A', objectTypeId: '0-1', processingType: 'MANUAL', listVersion: 1, size: 0 });
    expect(typeof created.list.listId).toBe('string');
    const slash = await raw(sandbox, 'POST', '/crm/v3/lists/', { name: 'B', objectTypeId: '0-1', processingType: 'MANUAL' });
    expect(slash.status).toBe(200);
    const plain = await raw(sandbox, 'POST', '/crm/v3/lists', { name: 'C', objectTypeId: '0-2', processingType: 'SNAPSHOT' });
    expect(plain.status).toBe(200);
    expect(plain.json).toMatchObject({ list: { name: 'C', objectTypeId: '0-2' } });
  });

  it('refuses a duplicate name with subCategory ILS.DUPLICATE_LIST_NAMES', async () => {
    await manualList('Same');
    const err = await apiError(sdk(sandbox).crm.lists.listsApi.create({ name: 'Same', objectTypeId: '0-1', processingType: 'MANUAL' }));
    expect(err.code).toBe(400);
    expect(err.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR', subCategory: 'ILS.DUPLICATE_LIST_NAMES', correlationId: expect.stringMatching(UUID) });
  });

  it('gets by id, by name and by listIds; an unknown name is an error naming it', async () => {
    const id = await manualList('CDP: Named/1');
    expect((await sdk(sandbox).crm.lists.listsApi.getById(id)).list?.name).toBe('CDP: Named/1');
    expect((await sdk(sandbox).crm.lists.listsApi.getByName('CDP: Named/1', '0-1')).list?.listId).toBe(id);
    const missing = await apiError(sdk(sandbox).crm.lists.listsApi.getByName('Nope', '0-1'));
    expect(missing.code).toBe(400);
    expect(missing.body.message).toBe('List does not exist with name Nope and object type ID 0-1.');
    const many = await sdk(sandbox).crm.lists.listsApi.getAll([id, '999']);
    expect(many.lists.map((l) => l.listId)).toEqual([id]);
    const search = await sdk(sandbox).crm.lists.listsApi.doSearch({ query: 'nam', processingTypes: ['MANUAL'] });
    expect(search).toMatchObject({ total: 1, hasMore: false, lists: [{ listId: id, additionalProperties: { hs_list_size: '0' } }] });
  });

  it('deletes with 204; the list is gone and its name free', async () => {
    const id = await manualList('Gone');
    expect((await raw(sandbox, 'DELETE', `/crm/v3/lists/${id}`)).status).toBe(204);
    expect((await apiError(sdk(sandbox).crm.lists.listsApi.getById(id))).code).toBe(404);
    await manualList('Gone');
  });
});

describe('memberships', () => {
  it('adds with recordsIdsAdded (sic), ignores existing members, reports unknown ids missing', async () => {
    const [a, b, c] = contacts(3);
    const company = sandbox.store.createRecord(COMPANIES, { name: 'Acme' }).id;
    const listId = await manualList();
    const first = await sdk(sandbox).crm.lists.membershipsApi.add(listId, [a, b]);
    expect(first).toEqual(expect.objectContaining({ recordsIdsAdded: [a, b], recordIdsMissing: [] }));
    const res = await raw(sandbox, 'PUT', `/crm/v3/lists/${listId}/memberships/add`, [b, c, '999999', company]);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ recordsIdsAdded: [c], recordIdsRemoved: [], recordIdsMissing: ['999999', company] });
    expect((await sdk(sandbox).crm.lists.listsApi.getById(listId)).list?.size).toBe(3);
  });

  it('removes, and adds-and-removes in one call', async () => {
    const [a, b, c] = contacts(3);
    const listId = await manualList();
    await sdk(sandbox).crm.lists.membershipsApi.add(listId, [a, b]);
    const removed = await raw(sandbox, 'PUT', `/crm/v3/lists/${listId}/memberships/remove`, [a, c, '777']);
    expect(removed.json).toEqual({ recordsIdsAdded: [], recordIdsRemoved: [a], recordIdsMissing: ['777'] });
    const both = await sdk(sandbox).crm.lists.membershipsApi.addAndRemove(listId, { recordIdsToAdd: [c], recordIdsToRemove: [b] });
    expect(both).toEqual(expect.objectContaining({ recordsIdsAdded: [c], recordIdsRemoved: [b], recordIdsMissing: [] }));
    expect([...(sandbox.store.lists.get(listId)?.members.keys() ?? [])]).toEqual([c]);
  });

  it('pages members in record-id order and lists a record\'s lists', async () => {
    const ids = contacts(5);
    const listId = await manualList();
    const other = await manualList('Other');
    await sdk(sandbox).crm.lists.membershipsApi.add(listId, [...ids].reverse());
    await sdk(sandbox).crm.lists.membershipsApi.add(other, [ids[0]]);
    const page1 = await sdk(sandbox).crm.lists.membershipsApi.getPage(listId, undefined, undefined, 2);
    expect(page1.results.map((r) => r.recordId)).toEqual(ids.slice(0, 2));
    expect(page1.results[0].membershipTimestamp).toBeInstanceOf(Date);
    const after = page1.paging?.next?.after;
    expect(after).toBeDefined();
    const page3 = await sdk(sandbox).crm.lists.membershipsApi.getPage(listId, ids[3], undefined, 2);
    expect(page3.results.map((r) => r.recordId)).toEqual([ids[4]]);
    expect(page3.paging?.next).toBeUndefined();
    const lists = await sdk(sandbox).crm.lists.membershipsApi.getLists('0-1', ids[0]);
    expect(lists.results.map((r) => r.listId).sort()).toEqual([listId, other].sort());
    expect((await raw(sandbox, 'DELETE', `/crm/v3/lists/${listId}/memberships`)).status).toBe(204);
    expect(sandbox.store.lists.get(listId)?.members.size).toBe(0);
  });

  it('refuses membership changes on DYNAMIC lists and on unknown lists', async () => {
    const [a] = contacts(1);
    const dynamic = await sdk(sandbox).crm.lists.listsApi.create({
      name: 'Dyn',
      objectTypeId: '0-1',
      processingType: 'DYNAMIC',
      filterBranch: { filterBranchType: PublicOrFilterBranchFilterBranchTypeEnum.Or, filterBranches: [], filters: [], filterBranchOperator: 'OR' },
    });
    const err = await apiError(sdk(sandbox).crm.lists.membershipsApi.add(dynamic.list.listId, [a]));
    expect(err.code).toBe(400);
    expect(err.body.category).toBe('VALIDATION_ERROR');
    expect((await apiError(sdk(sandbox).crm.lists.membershipsApi.add('404404', [a]))).code).toBe(404);
    const snapshot = await sdk(sandbox).crm.lists.listsApi.create({ name: 'Snap', objectTypeId: '0-1', processingType: 'SNAPSHOT' });
    expect((await sdk(sandbox).crm.lists.membershipsApi.add(snapshot.list.listId, [a])).recordsIdsAdded).toEqual([a]);
  });
});
