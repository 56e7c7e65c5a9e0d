import { type contract, requestedProviders } from '@enforcer/contract';
import type { RouterImpl } from '../context';
import { uuid } from '../crypto';
import { checkOtp } from '../methods/otp';
import { applyAuthSettingsPatch } from '../methods/settings';
import { MockError } from '../problem';
import { newInviteCode } from './auth';
import { assertRoleWithinReach } from './grants';
import { ownTenant, principalOf, userOf } from './helpers';

export const INVITE_TTL_SECONDS = 7 * 86_400;

export const tenantsRoutes: RouterImpl<typeof contract.tenants> = {
  selfServe: async ({ body }, { store, tokens, principal }) => {
    // Proof of admin_email: a one-time code (requested without a tenant code) or a session of that person.
    if (body.otp !== undefined) {
      const check = await checkOtp(
        store,
        { purpose: 'verify_email', email: body.admin_email, tenantId: null },
        body.otp,
      );
      if (!check.ok) throw check.error;
    } else {
      const email =
        principal?.kind === 'user' ? store.persons.get(principal.account.personId)?.email : undefined;
      if (email !== body.admin_email) {
        throw new MockError('unauthenticated', 'Prove the admin email with an otp or a signed-in session');
      }
    }
    const tenant = store.createTenant({ name: body.name, allowSignup: true });
    const person = store.ensurePerson(body.admin_email, true);
    const account = store.createAccount(person.id, tenant.id, 'owner');
    return { status: 201, body: await tokens.signIn(account, ['otp']) };
  },

  create: (request, ctx) => {
    const user = userOf(ctx);
    const { body } = request;
    const tenant = ctx.store.createTenant({
      name: body.name,
      logoUrl: body.logo_url ?? null,
      theme: body.theme ?? {},
      authProviders: body.auth_providers ?? ['email_otp'],
      allowSignup: body.allow_signup ?? false,
    });
    const account = ctx.store.createAccount(user.account.personId, tenant.id, 'owner');
    return {
      status: 201,
      body: { tenant: ctx.store.tenantView(tenant), account: ctx.store.accountView(account) },
    };
  },

  get: ({ params }, ctx) => {
    const tenant = ctx.store.tenants.get(ownTenant(ctx, params.id))!;
    return { status: 200, body: ctx.store.tenantView(tenant) };
  },

  update: async ({ params, body }, ctx) => {
    const tenant = ctx.store.tenants.get(ownTenant(ctx, params.id))!;
    if (body.auth_settings !== undefined)
      await applyAuthSettingsPatch(ctx.store, tenant.id, body.auth_settings);
    if (body.name !== undefined) tenant.name = body.name;
    if (body.logo_url !== undefined) tenant.logoUrl = body.logo_url;
    if (body.theme !== undefined) tenant.theme = { ...body.theme };
    return { status: 200, body: ctx.store.tenantView(tenant) };
  },

  setAuthProviders: ({ params, body }, ctx) => {
    const tenant = ctx.store.tenants.get(ownTenant(ctx, params.id))!;
    tenant.authProviders = [...requestedProviders(body)];
    if (body.allow_signup !== undefined) tenant.allowSignup = body.allow_signup;
    return { status: 200, body: ctx.store.tenantView(tenant) };
  },

  createInvite: ({ params, body }, ctx) => {
    const { store } = ctx;
    const tenantId = ownTenant(ctx, params.id);
    const role = body.role ?? 'member';
    assertRoleWithinReach(ctx, principalOf(ctx), role, 'The invite');
    const person = store.personByEmail(body.email);
    if (person && store.accountOf(person.id, tenantId)) {
      throw new MockError('conflict', 'This email already has an account in this tenant');
    }
    const now = store.now();
    const pending = [...store.invites.values()].find(
      (i) => i.tenantId === tenantId && i.email === body.email && i.acceptedAt === null && i.expiresAt > now,
    );
    if (pending) throw new MockError('conflict', 'An invite for this email is already pending');
    const invite = {
      id: uuid(),
      tenantId,
      code: newInviteCode(),
      email: body.email,
      role,
      expiresAt: now + INVITE_TTL_SECONDS * 1000,
      acceptedAt: null,
    };
    store.invites.set(invite.id, invite);
    return { status: 201, body: store.inviteView(invite) };
  },

  resolve: ({ query }, { store }) => {
    const tenant = store.tenantByCode(query.code);
    if (!tenant) throw new MockError('not_found', 'No tenant with that code');
    const { id, code, name, logo_url, theme, auth_providers, allow_signup } = store.tenantView(tenant);
    return { status: 200, body: { id, code, name, logo_url, theme, auth_providers, allow_signup } };
  },
};
