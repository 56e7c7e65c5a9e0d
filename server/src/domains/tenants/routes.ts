import {
  contract,
  defaultMemberRole,
  requestedProviders,
  type Tenant as TenantDto,
} from '@enforcer/contract';
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { type DomainRoutes, registerContractRoutes } from '../../http/contract-routes.js';
import type { Principal } from '../../http/principal.js';
import { auditActor, clientInfo, requirePrincipal } from '../../http/request-context.js';
import { addSeconds } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { recordAudit } from '../audit/record-audit.js';
import { applyAuthSettingsPatch, authSettingsOf } from '../auth/methods/settings.js';
import { Account } from '../identity/entities.js';
import { assertRoleWithinReach } from '../policy/grants.js';
import { createTenant, selfServeTenant } from './create-tenant.js';
import { Invite, type ITenant, Tenant } from './entities.js';
import { generateInviteCode, hashInviteCode, INVITE_TTL_SECONDS } from './invite-code.js';

export const tenantDto = (tenant: ITenant): TenantDto => ({
  id: tenant.id,
  code: tenant.code,
  name: tenant.name,
  logo_url: tenant.logoUrl ?? null,
  theme: Object.fromEntries(
    Object.entries(tenant.theme ?? {}).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  ),
  auth_providers: tenant.authProviders as TenantDto['auth_providers'],
  allow_signup: tenant.allowSignup,
  auth_settings: authSettingsOf(tenant),
  created_at: tenant.createdAt.toISOString(),
});

/**
 * The caller's own tenant, and only that one: any other id is a 404, exactly like an id that
 * does not exist, so a credential of one tenant learns nothing about another. Locked for the
 * rest of the transaction when `lock` is set.
 */
async function ownTenant(
  em: EntityManager,
  principal: Principal,
  id: string,
  lock = false,
): Promise<ITenant> {
  const tenant =
    id === principal.tenantId
      ? await em.findOne(Tenant, id, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : { refresh: true })
      : null;
  if (!tenant) throw new AppError('not_found', 'No such tenant');
  return tenant;
}

/**
 * Tenants: read and configure the caller's tenant, invite people into it, resolve a tenant
 * by its public code. Creating tenants (`POST /tenants/self-serve`, `POST /tenants`) is in
 * create-tenant.ts.
 */
export const tenantsRoutes: DomainRoutes = (app, services) => {
  const { orm, clock, random } = services;

  // Each router in its own scope: ts-rest sets an error handler per registration.
  app.register(async (scope) => {
    registerContractRoutes(scope, contract.tenants, {
      selfServe: selfServeTenant,
      create: createTenant,

      get: async ({ params, request }) => {
        const tenant = await ownTenant(orm.em.fork(), requirePrincipal(request), params.id);
        return { status: 200, body: tenantDto(tenant) };
      },

      update: async ({ params, body, request }) => {
        const principal = requirePrincipal(request);
        const tenant = await orm.em.fork().transactional(async (em) => {
          const tenant = await ownTenant(em, principal, params.id, true);
          const changed: string[] = [];
          if (body.name !== undefined && body.name !== tenant.name) {
            tenant.name = body.name;
            changed.push('name');
          }
          if (body.logo_url !== undefined && body.logo_url !== tenant.logoUrl) {
            tenant.logoUrl = body.logo_url;
            changed.push('logo_url');
          }
          if (body.theme !== undefined) {
            tenant.theme = body.theme;
            changed.push('theme');
          }
          if (body.auth_settings !== undefined)
            changed.push(...applyAuthSettingsPatch(tenant, body.auth_settings));
          if (changed.length > 0) {
            recordAudit(em, clock, {
              action: 'tenant.updated',
              actor: auditActor(principal),
              tenantId: tenant.id,
              target: { type: 'tenant', id: tenant.id },
              ...clientInfo(request),
              details: { fields: changed },
            });
          }
          return tenant;
        });
        return { status: 200, body: tenantDto(tenant) };
      },

      setAuthProviders: async ({ params, body, request }) => {
        const principal = requirePrincipal(request);
        const tenant = await orm.em.fork().transactional(async (em) => {
          const tenant = await ownTenant(em, principal, params.id, true);
          const before = { providers: [...tenant.authProviders], allow_signup: tenant.allowSignup };
          tenant.authProviders = requestedProviders(body);
          if (body.allow_signup !== undefined) tenant.allowSignup = body.allow_signup;
          recordAudit(em, clock, {
            action: 'tenant.auth_providers.updated',
            actor: auditActor(principal),
            tenantId: tenant.id,
            target: { type: 'tenant', id: tenant.id },
            ...clientInfo(request),
            details: {
              before,
              after: { providers: tenant.authProviders, allow_signup: tenant.allowSignup },
            },
          });
          return tenant;
        });
        return { status: 200, body: tenantDto(tenant) };
      },

      createInvite: async ({ params, body, request }) => {
        const principal = requirePrincipal(request);
        const role = body.role ?? defaultMemberRole;
        const code = generateInviteCode(random);
        const invite = await orm.em.fork().transactional(async (em) => {
          // Locking the tenant serialises invites, so two requests cannot both create one for an email.
          const tenant = await ownTenant(em, principal, params.id, true);
          const policy = await services.policies.forTenant(em, tenant);
          assertRoleWithinReach(policy, principal, role, 'The invite');
          if (await em.count(Account, { tenant: tenant.id, person: { email: body.email } })) {
            throw new AppError('conflict', 'This email already has an account in this tenant');
          }
          const now = clock.now();
          const pending = await em.count(Invite, {
            tenant: tenant.id,
            email: body.email,
            acceptedAt: null,
            expiresAt: { $gt: now },
          });
          if (pending) throw new AppError('conflict', 'An invite for this email is already pending');
          const invite = em.create(Invite, {
            tenant,
            email: body.email,
            role,
            codeHash: hashInviteCode(code),
            createdBy: principal.kind === 'user' ? principal.accountId : null,
            acceptedBy: null,
            acceptedAt: null,
            expiresAt: addSeconds(now, INVITE_TTL_SECONDS),
            createdAt: now,
          });
          recordAudit(em, clock, {
            action: 'invite.created',
            actor: auditActor(principal),
            tenantId: tenant.id,
            target: { type: 'invite', id: invite.id },
            ...clientInfo(request),
            details: { email: body.email, role },
          });
          return invite;
        });
        return {
          status: 201,
          body: {
            id: invite.id,
            code,
            email: invite.email,
            role: invite.role,
            expires_at: invite.expiresAt.toISOString(),
          },
        };
      },

      resolve: async ({ query }) => {
        const tenant = await orm.em.fork().findOne(Tenant, { code: query.code });
        if (!tenant) throw new AppError('not_found', 'No tenant has this code');
        const { created_at: _created, ...publicTenant } = tenantDto(tenant);
        return { status: 200, body: publicTenant };
      },
    });
  });
};
