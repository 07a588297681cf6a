import type { HttpReply } from '../http/http-reply.js';
import type { FaultInjector } from '../http/fault-injector.js';
import { failValidation } from './hubspot-errors.js';
import { resolveObjectType, type HubSpotObjectType } from './hubspot-object-types.js';
import type { HubSpotStore } from './hubspot-store.js';

/** Everything a route handler may use. Handlers are synchronous: the store is in memory. */
export interface RouteContext {
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Parsed JSON body, `undefined` when the request had none. */
  readonly body: unknown;
  readonly store: HubSpotStore;
  readonly faults: FaultInjector;
  readonly portalId: number;
  /** The sandbox URL, for `paging.next.link`. */
  readonly baseUrl: string;
  /** Records how many inputs a batch request carried (stats). */
  readonly noteBatchSize: (inputs: number) => void;
}

export type RouteHandler = (ctx: RouteContext) => HttpReply;

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteDefinition {
  readonly method: HttpMethod;
  readonly template: string;
  /** Mutates state (counted as a write request in stats). */
  readonly writes: boolean;
  /** Subject to the per-second search limit. */
  readonly search?: boolean;
  readonly handler: RouteHandler;
}

/** The `{objectType}` path parameter, or 400 as HubSpot answers for an unknown type. */
export function objectTypeParam(ctx: RouteContext, name = 'objectType'): HubSpotObjectType {
  const raw = ctx.params[name] ?? '';
  const type = resolveObjectType(raw);
  // UNCONFIRMED: HubSpot's wording for an unknown object type; taken from observed responses.
  return type ?? failValidation(`Unable to infer object type from: ${raw}`);
}
