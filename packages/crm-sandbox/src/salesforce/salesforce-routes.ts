import { Router } from '../http/router.js';
import { BULK2_ROUTES } from './bulk2.js';
import { COLLECTION_ROUTES } from './collections.js';
import { QUERY_ROUTES } from './query-routes.js';
import type { RouteDefinition } from './route-context.js';
import { SOBJECT_ROUTES } from './sobject-routes.js';

/** Every REST route sits under this prefix; `{version}` is `vNN.N`. */
export const DATA_PREFIX = '/services/data/{version}';

/** The REST API's route table (`/services/data/vXX.X/...`). */
export function salesforceRouter(): Router<RouteDefinition> {
  const router = new Router<RouteDefinition>();
  for (const [method, template, route] of [...SOBJECT_ROUTES, ...QUERY_ROUTES, ...COLLECTION_ROUTES, ...BULK2_ROUTES]) {
    router.add(method, `${DATA_PREFIX}${template}`, route);
  }
  return router;
}
