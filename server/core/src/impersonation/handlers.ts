import { type contract, maxImpersonationTtlSeconds } from '@enforcer/contract';
import type { Subject } from '@enforcer/contract/policy';
import { accountDto } from '../accounts/handlers.js';
import { callerOf, type Handlers } from '../api/handlers.js';
import { grantAttributes } from '../auth/open-session.js';
import { auditActorOf } from '../caller.js';
import { AppError } from '../errors.js';
import { addSeconds, type Clock, type RandomSource } from '../platform.js';
import { assertPatternsWithinReach, manageAction, requireAllowed } from '../policy/grants.js';
import { callerPolicy } from '../policy/handlers.js';
import { accountResource } from '../policy/resources.js';
import type { SessionRecord } from '../sessions/ports.js';
import type { UnitOfWork } from '../store.js';
import type { AccessTokenService } from '../tokens/access-tokens.js';

export interface ImpersonationDeps {
  uow: UnitOfWork;
  clock: Clock;
  random: RandomSource;
  /** Mints the token (the service's lifetime caps the requested `ttl`). */
  access: AccessTokenService;
}

/**
 * `POST /accounts/{id}/impersonate` (#14): an access token for another account of the caller's tenant,
 * carrying `act: { sub: <caller> }` (RFC 8693 §4.1). Its session is a row of its own with the caller as
 * actor and no refresh token: it lives at most `ttl` seconds, shows in the account's session lists, ends
 * like any session (`DELETE /accounts/{id}/sessions/{session_id}`), and ends when the actor leaves
 * `active` or changes role (`AccountSessions.endActedBy`); the HTTP layer also refuses it while the actor
 * is not active. Who may be impersonated, in order: an account the caller may read (404 otherwise) and
 * may impersonate (403), not the caller (`self_target`), nobody able to manage the tenant
 * (`impersonation_not_allowed`: an owner's token in other hands is the whole tenant), nobody holding a
 * permission the caller lacks (`forbidden`, the reach rule of role changes, over roles and groups), only
 * an `active` account (`status_conflict`). A caller who is impersonating cannot start another (no chains).
 */
export const impersonationHandlers = (
  deps: ImpersonationDeps,
): Pick<Handlers<typeof contract.accounts>, 'impersonate'> => ({
  impersonate: async ({ params, body }, ctx) => {
    const caller = callerOf(ctx);
    // The route takes user tokens only: an API key has no account to put in `act`.
    if (caller.kind !== 'user') {
      throw new AppError('credential_not_allowed', 'Only a signed-in account can impersonate');
    }
    if (caller.actorAccountId) {
      throw new AppError(
        'impersonation_not_allowed',
        'You are impersonating this account already: an impersonation token cannot start another',
      );
    }
    const answer = await deps.uow.transaction(async (repos) => {
      const policy = await callerPolicy(repos, caller);
      const account = await repos.accounts.find(caller.tenantId, params.id, { lock: true });
      if (!account) throw new AppError('not_found', 'No such account');
      requireAllowed(policy, caller, {
        action: 'accounts.impersonate',
        readAction: 'accounts.read',
        resource: accountResource(account),
        what: 'account',
      });
      if (account.id === caller.accountId) {
        throw new AppError('self_target', 'You cannot impersonate your own account');
      }
      const grant = await repos.grants.find(account.id);
      if (!grant) throw new AppError('not_found', 'No such account');
      const target: Subject = {
        id: grant.accountId,
        person_id: grant.personId,
        tenant_id: grant.tenantId,
        roles: grant.roles,
        groups: grant.groups,
      };
      if (policy.compiled.can(target, manageAction)) {
        throw new AppError(
          'impersonation_not_allowed',
          'This account can manage the tenant (change its policy): it cannot be impersonated',
        );
      }
      assertPatternsWithinReach(
        policy,
        caller,
        policy.compiled.permissions(target),
        "This account's roles and groups",
      );
      if (account.status !== 'active') {
        throw new AppError('status_conflict', `This account is ${account.status}: it cannot be impersonated`);
      }
      const ttl = Math.min(body.ttl ?? maxImpersonationTtlSeconds, deps.access.ttlSeconds);
      const now = deps.clock.now();
      const session: SessionRecord = {
        id: deps.random.uuid(),
        accountId: account.id,
        personId: account.personId,
        tenantId: account.tenantId,
        // The account itself authenticated with nothing: no method, no second factor.
        amr: [],
        mfaAt: null,
        ip: ctx.client.ip,
        userAgent: ctx.client.userAgent,
        createdAt: now,
        lastUsedAt: now,
        absoluteExpiresAt: addSeconds(now, ttl),
        revokedAt: null,
        revokeReason: null,
        actorAccountId: caller.accountId,
      };
      await repos.sessions.insertBearerSession(session);
      const issued = await deps.access.issue({
        // The same `attrs` as the account's own tokens: the verifier decides with them as the server does.
        attributes: await grantAttributes(repos, grant),
        accountId: grant.accountId,
        personId: grant.personId,
        tenantId: grant.tenantId,
        sessionId: session.id,
        roles: grant.roles,
        groups: grant.groups,
        amr: [],
        grantVersion: grant.grantVersion,
        actorAccountId: caller.accountId,
        ttlSeconds: ttl,
      });
      repos.audit.record({
        action: 'account.impersonation.started',
        actor: auditActorOf(caller),
        tenantId: caller.tenantId,
        target: { type: 'account', id: account.id },
        ...ctx.client,
        details: {
          reason: body.reason,
          impersonated_account_id: account.id,
          session_id: session.id,
          ttl_seconds: ttl,
          expires_at: issued.expiresAt.toISOString(),
        },
      });
      const [profile] = await repos.accounts.profiles([account.id]);
      if (!profile) throw new AppError('not_found', 'No such account');
      return {
        token: issued.token,
        token_type: 'Bearer' as const,
        expires_at: issued.expiresAt.toISOString(),
        session_id: session.id,
        act: { sub: caller.accountId },
        account: accountDto(profile),
      };
    });
    return { status: 200, body: answer };
  },
});
