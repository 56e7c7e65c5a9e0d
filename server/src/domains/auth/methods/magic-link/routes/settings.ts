import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { auditActor, requirePrincipal } from '../../../../../http/request-context.js';
import { AppError } from '../../../../../lib/errors.js';
import { authContext } from '../../../context.js';
import { redirectUrlsOf, replaceRedirectUrls } from '../redirect-urls.js';

/** `{id}` is always the caller's own tenant; any other id is a 404, like an unknown one. */
const ownTenant = (principalTenant: string, id: string) => {
  if (principalTenant !== id) throw new AppError('not_found', 'No such tenant');
};

/** `GET /tenants/{id}/magic-link`. */
export const getSettings: AppRouteImplementation<typeof contract.magicLink.getSettings> = async ({
  params,
  request,
}) => {
  ownTenant(requirePrincipal(request).tenantId, params.id);
  return { status: 200, body: { redirect_urls: await redirectUrlsOf(authContext(request).em, params.id) } };
};

/** `PUT /tenants/{id}/magic-link`: replaces the list; audited with both lists. */
export const putSettings: AppRouteImplementation<typeof contract.magicLink.putSettings> = async ({
  params,
  body,
  request,
}) => {
  const principal = requirePrincipal(request);
  ownTenant(principal.tenantId, params.id);
  const urls = await replaceRedirectUrls(
    authContext(request),
    auditActor(principal),
    params.id,
    body.redirect_urls,
  );
  return { status: 200, body: { redirect_urls: urls } };
};
