import type { contract } from '@enforcer/contract';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import { auditActor, requirePrincipal } from '../../../../../http/request-context.js';
import { AppError } from '../../../../../lib/errors.js';
import { recordAudit } from '../../../../audit/record-audit.js';
import { Tenant } from '../../../../tenants/entities.js';
import { authContext } from '../../../context.js';
import { MagicLinkSetting } from '../entities.js';

/** `{id}` is always the caller's own tenant; any other id is a 404, like an unknown one. */
const ownTenant = (principalTenant: string, id: string) => {
  if (principalTenant !== id) throw new AppError('not_found', 'No such tenant');
};

/** `GET /tenants/{id}/magic-link`. */
export const getSettings: AppRouteImplementation<typeof contract.magicLink.getSettings> = async ({
  params,
  request,
}) => {
  const principal = requirePrincipal(request);
  ownTenant(principal.tenantId, params.id);
  const { em } = authContext(request);
  const setting = await em.findOne(MagicLinkSetting, { tenant: params.id });
  return { status: 200, body: { redirect_urls: setting?.redirectUrls ?? [] } };
};

/** `PUT /tenants/{id}/magic-link`: replaces the list; audited with both lists. */
export const putSettings: AppRouteImplementation<typeof contract.magicLink.putSettings> = async ({
  params,
  body,
  request,
}) => {
  const principal = requirePrincipal(request);
  ownTenant(principal.tenantId, params.id);
  const { services, em, client } = authContext(request);
  const urls = await em.transactional(async (tx) => {
    const now = services.clock.now();
    const setting = await tx.findOne(MagicLinkSetting, { tenant: params.id });
    const before = setting?.redirectUrls ?? [];
    if (setting) {
      setting.redirectUrls = body.redirect_urls;
      setting.updatedAt = now;
    } else {
      tx.create(MagicLinkSetting, {
        tenant: tx.getReference(Tenant, params.id),
        redirectUrls: body.redirect_urls,
        updatedAt: now,
      });
    }
    recordAudit(tx, services.clock, {
      action: 'tenant.magic_link.updated',
      actor: auditActor(principal),
      tenantId: params.id,
      target: { type: 'tenant', id: params.id },
      ...client,
      details: { from: before, to: body.redirect_urls },
    });
    return body.redirect_urls;
  });
  return { status: 200, body: { redirect_urls: urls } };
};
