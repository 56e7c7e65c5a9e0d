import type { contract } from '@enforcer/contract';
import { ownerRole } from '@enforcer/contract';
import { type Handler, provisionTenant } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { FastifyInstance } from 'fastify';
import { Person } from '../../entities/accounts.js';
import { type ITenant, Tenant } from '../../entities/tenants.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../lib/errors.js';
import { recordAudit } from '../audit/record-audit.js';
import { createAccount, findOrCreatePerson, lockIdentity } from '../auth/accounts.js';
import { committed, refuse, success } from '../auth/context.js';
import { openSession } from '../auth/sign-in.js';

/**
 * `POST /tenants/self-serve`: creates a tenant and signs the caller in to it as its `owner`. The tenant
 * itself is the core's `provisionTenant`; proving the email and opening the session are the sign-in
 * services' (not in the core yet), so this one route of `contract.tenants` is wired here.
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
export const selfServeTenant =
  (services: FastifyInstance['services']): Handler<typeof contract.tenants.selfServe> =>
  async ({ body }, { caller, client }) => {
    const { clock } = services;
    const user = caller?.kind === 'user' ? caller : undefined;

    const response = await committed(services.orm.em.fork() as EntityManager, async (tx) => {
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
        amr = [...(user.amr ?? [])];
        proof = 'session';
      } else {
        throw new AppError(
          'unauthenticated',
          'Prove admin_email: send an otp from POST /auth/otp/request (without tenant_code), or sign in',
        );
      }

      const created = await provisionTenant(services.uow.within(tx), services.random, {
        name: body.name,
        authProviders: ['email_otp'],
        allowSignup: true,
      });
      const tenant = await tx.findOneOrFail(Tenant, created.id);
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

/** The person with `email` (proven by the caller) as the tenant's owner. */
async function addOwner(tx: EntityManager, clock: Clock, email: string, tenant: ITenant) {
  await lockIdentity(tx, email);
  const { person } = await findOrCreatePerson(tx, clock, { email, emailVerified: true });
  const account = createAccount(tx, clock, { person, tenant, role: ownerRole });
  return { person, account };
}
