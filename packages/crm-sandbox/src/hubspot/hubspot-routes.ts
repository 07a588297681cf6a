import { Router } from '../http/router.js';
import { associationRoutes } from './hubspot-routes-associations.js';
import { batchRoutes } from './hubspot-routes-batch.js';
import { basicRoutes } from './hubspot-routes-basic.js';
import { listRoutes } from './hubspot-routes-lists.js';
import { membershipRoutes } from './hubspot-routes-memberships.js';
import { propertyRoutes } from './hubspot-routes-properties.js';
import { searchRoutes } from './hubspot-routes-search.js';
import type { RouteDefinition } from './hubspot-route-context.js';

/** Every emulated endpoint, as an explicit list. */
export const HUBSPOT_ROUTES: readonly RouteDefinition[] = [
  ...batchRoutes,
  ...searchRoutes,
  ...basicRoutes,
  ...propertyRoutes,
  ...listRoutes,
  ...membershipRoutes,
  ...associationRoutes,
];

export function hubSpotRouter(routes: readonly RouteDefinition[] = HUBSPOT_ROUTES): Router<RouteDefinition> {
  const router = new Router<RouteDefinition>();
  for (const route of routes) router.add(route.method, route.template, route);
  return router;
}
