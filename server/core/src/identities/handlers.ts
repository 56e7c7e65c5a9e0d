import type { contract, LinkedProvider } from '@enforcer/contract';
import type { Handler, HandlerContext, Handlers } from '../api/handlers.js';
import { callerOf } from '../api/handlers.js';
import { auditActorOf, refuseImpersonation, type UserCaller } from '../caller.js';
import type { Challenges } from '../challenges/challenges.js';
import { type OtpService, otpRefusal } from '../codes/otp.js';
import { AppError } from '../errors.js';
import { type GoogleMethodDeps, proveGoogle } from '../methods/google.js';
import type { Authentication } from '../methods/method.js';
import { type PrivyMethodDeps, provePrivy } from '../methods/privy.js';
import type { ProofRefusal } from '../methods/result.js';
import { assertAcceptsMethod, requireMethodSettings } from '../methods/settings.js';
import { issueSiweNonce, proveSiwe } from '../methods/siwe.js';
import type { Clock } from '../platform.js';
import type { Repositories, UnitOfWork } from '../store.js';
import type { TenantRecord } from '../tenants/ports.js';
import { identityDto, linkIdentity, listSignInMethods, unlinkSignInMethod } from './linking.js';

type IdentityRoutes = Pick<
  typeof contract.auth,
  'identities' | 'linkPhone' | 'linkGoogle' | 'linkSiwe' | 'linkPrivy' | 'unlinkIdentity' | 'siweNonce'
>;

/** What the identity routes are built with besides the unit of work. */
export interface IdentityHandlerDeps {
  clock: Clock;
  challenges: Challenges;
  /** The verifiers a link proves with (the proofs of the `google` and `privy` sign-in methods). */
  google: GoogleMethodDeps['google'];
  privy: PrivyMethodDeps['privy'];
  /** Clock tolerance of SIWE messages' validity windows. */
  toleranceSeconds: number;
  /** A phone link checks a code sent without a tenant code (purpose `verify_phone`). */
  otp: Pick<OtpService, 'verify'>;
}

/** A proof's refusal as the error both sides answer with (its headers, and its cause for the logs). */
export function proofRefusalError(refusal: ProofRefusal): AppError {
  return new AppError(refusal.code, refusal.detail, {
    ...(refusal.headers && { headers: refusal.headers }),
    ...(refusal.cause !== undefined && { cause: refusal.cause }),
  });
}

function userOf(ctx: HandlerContext): UserCaller {
  const caller = callerOf(ctx);
  // The routes' metadata admits users only; an API key is not a person.
  if (caller.kind !== 'user') throw new AppError('forbidden', 'This call needs a signed-in user');
  refuseImpersonation(caller, "manage the person's sign-in methods");
  return caller;
}

/**
 * `GET/POST/DELETE /auth/identities*` and `POST /auth/siwe/nonce`: the signed-in person's sign-in methods,
 * linking another (proof first, an identity belongs to one person, audited) and unlinking one (never the
 * last), and the nonce a SIWE message is signed with.
 */
export function identityHandlers(uow: UnitOfWork, deps: IdentityHandlerDeps): Handlers<IdentityRoutes> {
  /**
   * Every `POST /auth/identities/<method>`: the signed-in person proves another method, with the settings
   * of the tenant they are signed in to (which must accept it), and it is bound to them: `201`, or `200`
   * when it was theirs already. A failed proof, or an identity bound to someone else (`409
   * identity_already_linked`), is audited (`auth.identity.link_refused`) and committed with whatever the
   * proof spent (a nonce, a counted wrong code), then refused.
   */
  const linkWith = async (
    ctx: HandlerContext,
    // \`oidc\` identities are linked through the OAuth flow (social-sign-in/handlers.ts), not a proof sent here.
    provider: Exclude<LinkedProvider, 'oidc'>,
    prove: (repos: Repositories, tenant: TenantRecord) => Promise<Authentication>,
  ) => {
    const user = userOf(ctx);
    const outcome = await uow.transaction(async (repos) => {
      const tenant = await repos.tenants.find(user.tenantId);
      if (!tenant) throw new AppError('not_found', 'No such tenant');
      assertAcceptsMethod(tenant, provider);
      const audit = (
        action: string,
        target: { type: string; id: string },
        details: Record<string, unknown>,
      ) =>
        repos.audit.record({
          action,
          actor: auditActorOf(user),
          tenantId: tenant.id,
          target,
          ...ctx.client,
          details: { provider, ...details },
        });
      const refused = (refusal: ProofRefusal) => {
        audit(
          'auth.identity.link_refused',
          { type: 'person', id: user.personId },
          { reason: refusal.reason },
        );
        return refusal;
      };
      const proof = await prove(repos, tenant);
      if (!proof.ok) return refused(proof);
      if (!('provider' in proof.identity) || proof.identity.provider !== provider) {
        throw new Error(`the ${provider} proof did not prove a ${provider} identity`);
      }
      const person = await repos.persons.find(user.personId);
      if (!person) throw new AppError('unauthenticated', 'This session has ended');
      const linked = await linkIdentity(repos, deps.clock.now(), person, proof.identity);
      if (!linked.ok) return refused(linked);
      if (linked.created) {
        audit(
          'auth.identity.linked',
          { type: 'person_identity', id: linked.identity.id },
          { person_id: person.id },
        );
      }
      return linked;
    });
    if (!outcome.ok) throw proofRefusalError(outcome);
    return { status: outcome.created ? (201 as const) : (200 as const), body: identityDto(outcome.identity) };
  };

  return {
    identities: (async (_request, ctx) => {
      const user = userOf(ctx);
      const data = await uow.read(async (repos) => {
        const person = await repos.persons.find(user.personId);
        if (!person) throw new AppError('unauthenticated', 'This session has ended');
        return listSignInMethods(repos, person);
      });
      return { status: 200, body: { data } };
    }) satisfies Handler<IdentityRoutes['identities']>,

    linkPhone: ({ body }, ctx) =>
      linkWith(ctx, 'phone_otp', async (repos) => {
        const check = await deps.otp.verify(
          { address: body.phone, tenantId: null, purpose: 'verify_phone' },
          body.otp,
          repos.codes,
        );
        if (check.ok) return { ok: true, identity: { provider: 'phone_otp', subject: body.phone } };
        return otpRefusal(check);
      }),
    linkGoogle: ({ body }, ctx) =>
      linkWith(ctx, 'google', (repos, tenant) => proveGoogle(deps, repos, tenant, body)),
    linkSiwe: ({ body }, ctx) =>
      linkWith(ctx, 'siwe', (repos, tenant) => proveSiwe(deps, repos, tenant, body)),
    linkPrivy: ({ body }, ctx) =>
      linkWith(ctx, 'privy', (_repos, tenant) => provePrivy(deps, tenant, body.token)),

    unlinkIdentity: async ({ params }, ctx) => {
      const user = userOf(ctx);
      await uow.transaction(async (repos) => {
        const removed = await unlinkSignInMethod(repos, user.personId, params.id);
        const identity = removed.provider !== 'passkey';
        repos.audit.record({
          action: identity ? 'auth.identity.unlinked' : 'auth.passkey.deleted',
          actor: auditActorOf(user),
          tenantId: user.tenantId,
          target: { type: identity ? 'person_identity' : 'passkey_credential', id: params.id },
          ...ctx.client,
          details: { provider: removed.provider, person_id: user.personId },
        });
      });
      return { status: 204, body: undefined };
    },

    siweNonce: async ({ body }) => {
      const answer = await uow.transaction(async (repos) => {
        const tenant = await repos.tenants.findByCode(body.tenant_code);
        if (!tenant) throw new AppError('not_found', 'No tenant has this code');
        assertAcceptsMethod(tenant, 'siwe');
        const settings = requireMethodSettings(tenant, 'siwe');
        const issued = await issueSiweNonce(deps.challenges, repos, tenant.id);
        return {
          nonce: issued.value,
          expires_at: issued.expiresAt.toISOString(),
          domain: settings.domain,
          uri: settings.uri,
          chain_ids: settings.chain_ids,
        };
      });
      return { status: 200, body: answer };
    },
  };
}
