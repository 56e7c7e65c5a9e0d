import { type contract, ownerRole } from '@enforcer/contract';
import type { Handler } from '../api/handlers.js';
import { committed } from '../auth/login.js';
import type { SessionTokens } from '../auth/open-session.js';
import { findOrCreatePerson } from '../auth/resolve-person.js';
import { refuseImpersonation } from '../caller.js';
import { type OtpService, otpRefusal } from '../codes/otp.js';
import { AppError, refusalError } from '../errors.js';
import { forgetUnprovenCredentials } from '../passwords/method.js';
import type { Clock, RandomSource } from '../platform.js';
import type { Repositories, UnitOfWork } from '../store.js';
import { provisionTenant } from './provision.js';

/** What self-serve needs besides storage: the email's proof and the owner's session. */
export interface SelfServeDeps {
  /** Whether this deployment lets anyone create a tenant (`403 self_serve_disabled` otherwise). */
  allowSelfServe: boolean;
  clock: Clock;
  random: RandomSource;
  /** Checks the `otp` proving `admin_email` (purpose `verify_email`, no tenant), in the handler's unit of work. */
  otp: Pick<OtpService, 'verify'>;
  /** Opens the owner's session in the handler's unit of work. */
  sessions: Pick<SessionTokens, 'open'>;
}

/**
 * `POST /tenants/self-serve`: creates a tenant and signs the caller in to it as its `owner`.
 *
 * The caller must PROVE `admin_email`, either:
 * - `otp`: a code from `POST /auth/otp/request` for that email WITHOUT a tenant code (purpose
 *   `verify_email`; the same attempt limits as login codes, and spent on success; a wrong one is counted
 *   and audited as `tenants.self_serve.failed`, committed before the refusal is answered), or
 * - a signed-in session (user token) of the person whose email it is, verified.
 * Neither: `401 unauthenticated`. Typing someone's email never yields a token for it.
 *
 * The owner is the person with that email, created if new, or marked verified (the first-proof rule runs:
 * a password set before the proof goes). The new tenant accepts `email_otp` and allows sign-up (the seed's
 * quickstart registers users into it right away); `PUT /tenants/{id}/auth-provider` changes both.
 * Everything is one unit of work, audited as `tenants.created` (`via: 'self_serve'`).
 */
export const selfServeHandler =
  (uow: UnitOfWork, deps: SelfServeDeps): Handler<typeof contract.tenants.selfServe> =>
  async ({ body }, { caller, client }) => {
    if (!deps.allowSelfServe) {
      throw new AppError('self_serve_disabled', 'This deployment does not offer self-serve tenant creation');
    }
    refuseImpersonation(caller, 'create a tenant');
    const user = caller?.kind === 'user' ? caller : undefined;
    if (body.otp === undefined && !user) {
      throw new AppError(
        'unauthenticated',
        'Prove admin_email: send an otp from POST /auth/otp/request (without tenant_code), or sign in',
      );
    }
    const email = body.admin_email;
    const response = await committed(uow, async (repos) => {
      let amr: string[];
      let proof: 'otp' | 'session';
      if (body.otp !== undefined) {
        const scope = { address: email, tenantId: null, purpose: 'verify_email' as const };
        const check = await deps.otp.verify(scope, body.otp, repos.codes);
        if (!check.ok) {
          repos.audit.record({
            action: 'tenants.self_serve.failed',
            actor: { type: 'anonymous' },
            ...client,
            details: { reason: check.reason, email },
          });
          return { ok: false, error: refusalError(otpRefusal(check)) };
        }
        amr = ['otp'];
        proof = 'otp';
      } else {
        const signedIn = await repos.persons.find(user!.personId);
        if (signedIn?.email !== email || !signedIn.emailVerifiedAt) {
          throw new AppError(
            'unauthenticated',
            "admin_email is not the signed-in person's email: prove it with an otp from POST /auth/otp/request",
          );
        }
        amr = [...(user!.amr ?? [])];
        proof = 'session';
      }

      const tenant = await provisionTenant(repos, deps.random, {
        name: body.name,
        authProviders: ['email_otp'],
        allowSignup: true,
      });
      const { personId, accountId } = await addOwner(repos, deps.clock, email, tenant.id);
      const session = await deps.sessions.open(repos, { accountId, amr, client });
      repos.audit.record({
        action: 'tenants.created',
        actor: { type: 'person', id: personId },
        tenantId: tenant.id,
        target: { type: 'tenant', id: tenant.id },
        ...client,
        details: { via: 'self_serve', proof, owner_account_id: accountId, session_id: session.sessionId },
      });
      return { ok: true, value: session.response };
    });
    return { status: 201, body: response };
  };

/** The person with `email` (proven by the caller) as the new tenant's owner. */
async function addOwner(repos: Repositories, clock: Clock, email: string, tenantId: string) {
  await repos.persons.lock(email);
  const { person } = await findOrCreatePerson(repos, clock, { email, emailVerified: true }, (repos, id) =>
    forgetUnprovenCredentials(repos, clock, id),
  );
  const account = await repos.accounts.create({ personId: person.id, tenantId, role: ownerRole });
  return { personId: person.id, accountId: account.id };
}
