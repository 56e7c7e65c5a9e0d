import type { EntityManager } from '@mikro-orm/postgresql';
import { MagicLinkSetting } from '../../../../entities/magic-links.js';
import { Tenant } from '../../../../entities/tenants.js';
import type { AuditActor } from '../../../audit/record-audit.js';
import { recordAudit } from '../../../audit/record-audit.js';
import type { AuthRequestContext } from '../../context.js';

/** The tenant's allowed magic-link redirect URLs (none until an admin sets them). */
export async function redirectUrlsOf(em: EntityManager, tenantId: string): Promise<string[]> {
  const setting = await em.findOne(MagicLinkSetting, { tenant: tenantId });
  return setting?.redirectUrls ?? [];
}

/** Replaces the tenant's redirect URLs; audited (`tenant.magic_link.updated`) with both lists. */
export async function replaceRedirectUrls(
  { services, em, client }: AuthRequestContext,
  actor: AuditActor,
  tenantId: string,
  urls: string[],
): Promise<string[]> {
  return em.transactional(async (tx) => {
    const now = services.clock.now();
    const setting = await tx.findOne(MagicLinkSetting, { tenant: tenantId });
    const before = setting?.redirectUrls ?? [];
    if (setting) {
      setting.redirectUrls = urls;
      setting.updatedAt = now;
    } else {
      tx.create(MagicLinkSetting, {
        tenant: tx.getReference(Tenant, tenantId),
        redirectUrls: urls,
        updatedAt: now,
      });
    }
    recordAudit(tx, services.clock, {
      action: 'tenant.magic_link.updated',
      actor,
      tenantId,
      target: { type: 'tenant', id: tenantId },
      ...client,
      details: { from: before, to: urls },
    });
    return urls;
  });
}
