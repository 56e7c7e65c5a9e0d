import type { contract } from '@enforcer/contract';
import { ownerRole } from '@enforcer/contract';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { AppRouteImplementation } from '@ts-rest/fastify';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { recordAudit } from '../audit/record-audit.js';
import { createAccount, findOrCreatePerson, lockIdentity } from '../auth/accounts.js';
import { authContext, committed, refuse, requireUser, success } from '../auth/context.js';
import { openSession } from '../auth/sign-in.js';
import { toAccount, toTenant } from '../auth/views.js';
import { Person } from '../identity/entities.js';
import type { ITenant } from './entities.js';
import { provisionTenant } from './provision.js';

/**
 * `POST /tenants/self-serve`: creates a tenant and signs the caller in to it as its `owner`.
 *
 * The caller must PROVE `admin_email`, either:
 * - `otp`: a code from `POST /auth/otp/request` for that email WITHOUT a tenant code (purpose
 *   `verify_email`; the same attempt limits as login codes, and spent on success), or
 * - a signed-in session (user token) of the person whose email it is.
 * Neither: `401 unauthenticated`. Typing someone's email never yields a token for it.
 *
 * The new tenant accepts `email_otp` and allows sign-up (the seed's quickstart registers users into it
 * right away); `PUT /tenants/{id}/auth-provider` changes both. Everything is one transaction.
 */
export const selfServeTenant: AppRouteImplementation<typeof contract.tenants.selfServe> = async ({
  body,
  request,
}) => {
  const { services, em, client } = authContext(request);
  const { clock } = services;
  const user = request.principal?.kind === 'user' ? request.principal : undefined;

  const response = await committed(em, async (tx) => {
    let amr: string[];
    let proof: 'otp' | 'session';
    if (body.otp !== undefined) {
      const check = await services.otp.verify(
        tx,
        { email: body.admin_email, tenantId: null, purpose: 'verify_email' },
        body.otp,
      );
      if (!check.ok) {
        recordAudit(tx, clock, {
          action: 'tenants.self_serve.failed',
          actor: { type: 'anonymous' },
          ...client,
          details: { reason: check.reason, email: body.admin_email },
        });
        return refuse(check.error);
      }
      amr = ['otp'];
      proof = 'otp';
    } else if (user) {
      const signedIn = await tx.findOneOrFail(Person, user.personId);
      if (signedIn.email !== body.admin_email || !signedIn.emailVerifiedAt) {
        throw new AppError(
          'unauthenticated',
          "admin_email is not the signed-in person's email: prove it with an otp from POST /auth/otp/request",
        );
      }
      amr = [...user.claims.amr];
      proof = 'session';
    } else {
      throw new AppError(
        'unauthenticated',
        'Prove admin_email: send an otp from POST /auth/otp/request (without tenant_code), or sign in',
      );
    }

    const tenant = await provisionTenant(tx, services.random, {
      name: body.name,
      authProviders: ['email_otp'],
      allowSignup: true,
    });
    const { person, account } = await addOwner(tx, clock, body.admin_email, tenant);
    const session = await openSession(tx, services, { account, person, tenant, amr, client });
    recordAudit(tx, clock, {
      action: 'tenants.created',
      actor: { type: 'person', id: person.id },
      tenantId: tenant.id,
      target: { type: 'tenant', id: tenant.id },
      ...client,
      details: { via: 'self_serve', proof, owner_account_id: account.id, session_id: session.sessionId },
    });
    return success(session.response);
  });
  return { status: 201, body: response };
};

/**
 * `POST /tenants`: the signed-in person creates a tenant and becomes its `owner`. Answers the tenant and
 * the new account (no tokens: `POST /auth/tenant/switch` to it). Defaults: `email_otp`, invite-only.
 * The tenant must accept a method of the caller's current session, or its owner could never switch in.
 */
export const createTenant: AppRouteImplementation<typeof contract.tenants.create> = async ({
  body,
  request,
}) => {
  const user = requireUser(request);
  const { services, em, client } = authContext(request);
  const { clock } = services;
  const result = await em.transactional(async (tx) => {
    const authProviders = body.auth_providers ?? ['email_otp'];
    if (!services.signInMethods.acceptsSession({ authProviders }, user.claims.amr)) {
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
    const creator = await tx.findOneOrFail(Person, user.personId);
    const tenant = await provisionTenant(tx, services.random, {
      name: body.name,
      logoUrl: body.logo_url ?? null,
      theme: body.theme ?? {},
      authProviders,
      allowSignup: body.allow_signup ?? false,
    });
    const person = creator;
    const account = createAccount(tx, clock, { person, tenant, role: ownerRole });
    await tx.flush();
    recordAudit(tx, clock, {
      action: 'tenants.created',
      actor: { type: 'account', id: user.accountId },
      tenantId: tenant.id,
      target: { type: 'tenant', id: tenant.id },
      ...client,
      details: { via: 'create', from_tenant_id: user.tenantId, owner_account_id: account.id },
    });
    return { tenant: toTenant(tenant), account: toAccount(account, person.email ?? null, []) };
  });
  return { status: 201, body: result };
};

/** The person with `email` (proven by the caller) as the tenant's owner. */
async function addOwner(tx: EntityManager, clock: Clock, email: string, tenant: ITenant) {
  await lockIdentity(tx, email);
  const { person } = await findOrCreatePerson(tx, clock, { email, emailVerified: true });
  const account = createAccount(tx, clock, { person, tenant, role: ownerRole });
  return { person, account };
}
