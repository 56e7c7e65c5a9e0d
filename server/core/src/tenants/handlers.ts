import { type contract, ownerRole, requestedProviders } from '@enforcer/contract';
import { callerOf, type HandlerContext, type Handlers } from '../api/handlers.js';
import { auditActorOf, refuseImpersonation, type UserCaller } from '../caller.js';
import { AppError } from '../errors.js';
import type { Clock, RandomSource } from '../platform.js';
import type { OAuthFlowDeps } from '../social-sign-in/flow.js';
import { replaceOAuthSettings } from '../social-sign-in/settings.js';
import type { UnitOfWork } from '../store.js';
import { applyAuthSettingsPatch } from './auth-settings.js';
import { type InvitesDeps, invitesHandlers, ownTenant } from './invites.js';
import type { TenantChanges } from './ports.js';
import { provisionTenant, tenantView } from './provision.js';
import { type SelfServeDeps, selfServeHandler } from './self-serve.js';

/** `otp` and `sessions` are self-serve's (it proves an email and signs the new owner in). */
export interface TenantsDeps extends SelfServeDeps, InvitesDeps {
  clock: Clock;
  random: RandomSource;
  /**
   * Whether a session with these `amr` values may enter a tenant accepting `authProviders` (the sign-in
   * methods' rule: a method's session counts only where the method is accepted).
   */
  acceptsSession(authProviders: readonly string[], amr: readonly string[]): boolean;
  /** Seals the social sign-in providers' secrets `PUT /tenants/{id}/auth-provider` may set with `oauth`. */
  oauthSecrets: Pick<OAuthFlowDeps, 'sealer'>;
}

/** The routes of `contract.tenants`, written once (self-serve in self-serve.ts). */
export type TenantsHandlers = Handlers<typeof contract.tenants>;

function userCallerOf(ctx: HandlerContext): UserCaller {
  const caller = callerOf(ctx);
  if (caller.kind !== 'user') throw new AppError('unauthenticated', 'This call needs a signed-in user');
  return caller;
}

/**
 * Tenants: create one (the caller becomes its owner; or self-serve, signed in to it as its owner), read
 * and configure the caller's tenant, invite people into it, resolve a tenant by its public code.
 */
export const tenantsHandlers = (uow: UnitOfWork, deps: TenantsDeps): TenantsHandlers => ({
  selfServe: selfServeHandler(uow, deps),

  /**
   * `POST /tenants`: the signed-in person creates a tenant and becomes its `owner`. Answers the tenant and
   * the new account (no tokens: `POST /auth/tenant/switch` to it). Defaults: `email_otp`, invite-only.
   * The tenant must accept a method of the caller's current session, or its owner could never switch in.
   */
  create: async ({ body }, ctx) => {
    const caller = userCallerOf(ctx);
    refuseImpersonation(caller, 'create a tenant');
    const authProviders = body.auth_providers ?? ['email_otp'];
    if (!deps.acceptsSession(authProviders, caller.amr ?? [])) {
      throw new AppError('validation_failed', 'auth_providers must include the method you signed in with', {
        errors: [
          {
            path: 'body.auth_providers',
            message:
              'include a method of your current session (e.g. email_otp), or you could not enter the tenant',
          },
        ],
      });
    }
    const result = await uow.transaction(async (repos) => {
      const tenant = await provisionTenant(repos, deps.random, {
        name: body.name,
        logoUrl: body.logo_url ?? null,
        theme: body.theme ?? {},
        authProviders,
        allowSignup: body.allow_signup ?? false,
      });
      const account = await repos.members.addAccount(tenant.id, caller.personId, ownerRole);
      repos.audit.record({
        action: 'tenants.created',
        actor: auditActorOf(caller),
        tenantId: tenant.id,
        target: { type: 'tenant', id: tenant.id },
        ...ctx.client,
        details: { via: 'create', from_tenant_id: caller.tenantId, owner_account_id: account.id },
      });
      return { tenant: tenantView(tenant), account };
    });
    return { status: 201, body: result };
  },

  get: async ({ params }, ctx) => {
    const caller = callerOf(ctx);
    const tenant = await uow.read((repos) => ownTenant(repos, caller, params.id));
    return { status: 200, body: tenantView(tenant) };
  },

  /**
   * `PATCH /tenants/{id}`: name, logo, theme, sign-in method settings, limits and the CORS allow-list; audited
   * when something changed.
   */
  update: async ({ params, body }, ctx) => {
    const caller = callerOf(ctx);
    const tenant = await uow.transaction(async (repos) => {
      const tenant = await ownTenant(repos, caller, params.id, true);
      const changes: TenantChanges = {};
      const changed: string[] = [];
      if (body.name !== undefined && body.name !== tenant.name) {
        changes.name = body.name;
        changed.push('name');
      }
      if (body.logo_url !== undefined && body.logo_url !== tenant.logoUrl) {
        changes.logoUrl = body.logo_url;
        changed.push('logo_url');
      }
      if (body.theme !== undefined) {
        changes.theme = { ...body.theme };
        changed.push('theme');
      }
      if (body.auth_settings !== undefined) {
        const patched = await applyAuthSettingsPatch(tenant.authSettings, body.auth_settings);
        changes.authSettings = patched.settings;
        changed.push(...patched.changed);
      }
      if (body.limits !== undefined) {
        const limits: Record<string, unknown> = { ...tenant.limits };
        for (const [key, value] of Object.entries(body.limits)) {
          if (value === undefined) continue;
          if (value === null) delete limits[key];
          else limits[key] = value;
          changed.push(`limits.${key}`);
        }
        changes.limits = limits;
      }
      if (
        body.allowed_origins !== undefined &&
        body.allowed_origins.join(' ') !== tenant.allowedOrigins.join(' ')
      ) {
        changes.allowedOrigins = [...body.allowed_origins];
        changed.push('allowed_origins');
      }
      if (changed.length === 0) return tenant;
      const updated = await repos.tenants.update(tenant.id, changes);
      repos.audit.record({
        action: 'tenant.updated',
        actor: auditActorOf(caller),
        tenantId: tenant.id,
        target: { type: 'tenant', id: tenant.id },
        ...ctx.client,
        details: { fields: changed },
      });
      return updated;
    });
    return { status: 200, body: tenantView(tenant) };
  },

  /** `PUT /tenants/{id}/auth-provider`: the sign-in methods the tenant accepts, and whether anyone may sign up. */
  setAuthProviders: async ({ params, body }, ctx) => {
    const caller = callerOf(ctx);
    const tenant = await uow.transaction(async (repos) => {
      const tenant = await ownTenant(repos, caller, params.id, true);
      const before = { providers: [...tenant.authProviders], allow_signup: tenant.allowSignup };
      const updated = await repos.tenants.update(tenant.id, {
        authProviders: [...requestedProviders(body)],
        ...(body.allow_signup !== undefined ? { allowSignup: body.allow_signup } : {}),
      });
      // Providers and methods in one change: a tenant can turn on `oauth` with the providers it needs.
      if (body.oauth) {
        await replaceOAuthSettings(
          repos,
          { sealer: deps.oauthSecrets.sealer, clock: deps.clock },
          { tenantId: tenant.id, body: body.oauth, actor: auditActorOf(caller), client: ctx.client },
        );
      }
      repos.audit.record({
        action: 'tenant.auth_providers.updated',
        actor: auditActorOf(caller),
        tenantId: tenant.id,
        target: { type: 'tenant', id: tenant.id },
        ...ctx.client,
        details: {
          before,
          after: { providers: [...updated.authProviders], allow_signup: updated.allowSignup },
        },
      });
      return updated;
    });
    return { status: 200, body: tenantView(tenant) };
  },

  ...invitesHandlers(uow, deps),

  /**
   * `GET /directory/tenants/resolve`: public, so it answers the contract's public view only (what a login
   * page needs: no settings, no creation date); an unknown code is a 404.
   */
  resolve: async ({ query }) => {
    const tenant = await uow.read((repos) => repos.tenants.findByCode(query.code));
    if (!tenant) throw new AppError('not_found', 'No tenant has this code');
    const { id, code, name, logo_url, theme, auth_providers, allow_signup } = tenantView(tenant);
    return { status: 200, body: { id, code, name, logo_url, theme, auth_providers, allow_signup } };
  },
});
