import type { PublicObjectList } from '@hubspot/api-client/lib/codegen/crm/lists/index.js';
import { error, type Diagnostic } from '../../diagnostics/diagnostic.js';
import type { AudienceSpec, SyncSpec } from '../destination.js';
import { apiError } from './hubspot-failure.js';
import type { PropertyContext } from './hubspot-properties.js';

/**
 * Finds each segment's static (MANUAL) list by name, creating it on first use (docs/crm/hubspot.md#lists). A list of
 * the name that is DYNAMIC cannot take manual memberships: that is a diagnostic, not a silent skip.
 */
export async function ensureLists(ctx: PropertyContext, spec: SyncSpec): Promise<{ lists: Map<string, string>; diagnostics: Diagnostic[]; notes: string[] }> {
  const lists = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const notes: string[] = [];
  for (const audience of spec.audiences) {
    if (!('list' in audience.target)) {
      diagnostics.push(error('invalid-target', `HubSpot has no campaigns; sync segment '${audience.segment}' as { list: ... } or { field: ... }`, audience.at));
      continue;
    }
    const name = audience.target.list;
    let list = await findList(ctx, name);
    if (!list) {
      list = (await createList(ctx, name)) ?? (await findList(ctx, name));
      if (list) notes.push(`created HubSpot list '${name}' (${list.listId})`);
    }
    if (!list) {
      diagnostics.push(error('list-unavailable', `HubSpot list '${name}' could neither be found nor created`, audience.at));
    } else if (list.processingType === 'DYNAMIC') {
      diagnostics.push(listIsDynamic(audience, list));
    } else {
      lists.set(audience.segment, list.listId);
    }
  }
  return { lists, diagnostics, notes };
}

function listIsDynamic(audience: AudienceSpec, list: PublicObjectList): Diagnostic {
  return error(
    'dynamic-list',
    `HubSpot list '${list.name}' (${list.listId}) is an active (DYNAMIC) list; cdp can only manage memberships of static lists`,
    audience.at,
    'rename the list in HubSpot or use another list name; cdp creates a static list of that name',
  );
}

async function findList(ctx: PropertyContext, name: string): Promise<PublicObjectList | undefined> {
  return ctx.transport.call(async () => {
    try {
      return (await ctx.client.crm.lists.listsApi.getByName(name, ctx.object.typeId)).list;
    } catch (e) {
      // HubSpot answers an unknown name with 400 or 404 "List does not exist with name ..." (docs/crm/hubspot.md#lists).
      const api = apiError(e);
      if (api && (api.status === 400 || api.status === 404) && /does not exist/i.test(String(api.body.message))) return undefined;
      throw e;
    }
  }, ctx.classify);
}

async function createList(ctx: PropertyContext, name: string): Promise<PublicObjectList | undefined> {
  return ctx.transport.call(async () => {
    try {
      return (await ctx.client.crm.lists.listsApi.create({ name, objectTypeId: ctx.object.typeId, processingType: 'MANUAL' })).list;
    } catch (e) {
      // Created meanwhile by someone else: find it instead.
      const api = apiError(e);
      if (api && api.status === 400 && String(api.body.subCategory) === 'ILS.DUPLICATE_LIST_NAMES') return undefined;
      throw e;
    }
  }, ctx.classify);
}
