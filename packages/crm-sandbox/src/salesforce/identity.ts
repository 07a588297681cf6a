import { jsonReply, type HttpReply } from '../http/http-reply.js';
import type { AuthEnv } from './oauth.js';
import { bearerToken } from './salesforce-dispatcher.js';

/**
 * `GET /id/{orgId}/{userId}` (the token response's `id`): the identity service, authenticated by a
 * Bearer header or `oauth_token` query parameter, as jsforce's `conn.identity()` calls it.
 */
export function handleIdentity(env: AuthEnv, orgId: string, userId: string, authorization: string | undefined, query: URLSearchParams): HttpReply {
  const token = bearerToken(authorization) ?? query.get('oauth_token') ?? '';
  const session = env.sessions.verify(token);
  if (!session) return { status: 403, contentType: 'text/plain', body: 'Bad_OAuth_Token' };
  const user = env.users.find((u) => u.id === userId);
  if (orgId !== env.orgId || !user) return { status: 404, contentType: 'text/plain', body: 'Bad_Id' };
  const url = env.url();
  return jsonReply(200, {
    id: `${url}/id/${env.orgId}/${user.id}`,
    asserted_user: session.user.id === user.id,
    user_id: user.id,
    organization_id: env.orgId,
    username: user.username,
    nick_name: user.username.split('@')[0],
    display_name: 'Sandbox User',
    email: user.username,
    email_verified: true,
    first_name: 'Sandbox',
    last_name: 'User',
    timezone: 'America/Los_Angeles',
    active: true,
    user_type: 'STANDARD',
    language: 'en_US',
    locale: 'en_US',
    utcOffset: -28800000,
    is_app_installed: true,
    urls: {
      enterprise: `${url}/services/Soap/c/{version}/${env.orgId}`,
      partner: `${url}/services/Soap/u/{version}/${env.orgId}`,
      rest: `${url}/services/data/v{version}/`,
      sobjects: `${url}/services/data/v{version}/sobjects/`,
      search: `${url}/services/data/v{version}/search/`,
      query: `${url}/services/data/v{version}/query/`,
      limits: `${url}/services/data/v{version}/limits/`,
      profile: `${url}/${user.id}`,
    },
  });
}
