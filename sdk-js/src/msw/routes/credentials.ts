import type { contract } from '@enforcer/contract';
import { assertStrongPassword, countsAsGuess } from '@enforcer/core';
import type { MockContext, RouterImpl } from '../context';
import { checkOtp, sendOtp } from '../methods/otp';
import {
  checkFactor,
  invalidMfaCode,
  MFA_CHALLENGE_MAX_ATTEMPTS,
  mfaEnabled,
  passwordHasher,
  personOfEmail,
  personSubject,
  provideSecondFactor,
  recoveryCodesLeft,
  regenerateRecoveryCodes,
  verifyPassword,
} from '../methods/sign-in';
import { checkTotp, newTotpSecret, otpauthUri, PLACEHOLDER_QR } from '../methods/totp';
import { MockError } from '../problem';
import { iso, type MockStore, type TenantRow } from '../store';
import { userOf } from './helpers';

/**
 * Password change and reset, and TOTP MFA (recovery codes, MFA-gated sign-in, step-up), with the server's
 * rules and answers (server/src/domains/auth/{methods/password,mfa}/). Passwords are kept by the core's
 * store (`repos.passwords`); magic links are the core's handlers.
 */

function tenantByCode(store: MockStore, code: string): TenantRow {
  const tenant = store.tenantByCode(code);
  if (!tenant) throw new MockError('not_found', 'No tenant has this code');
  return tenant;
}

const requirePasswords = (tenant: TenantRow) => {
  if (!tenant.authProviders.includes('password')) {
    throw new MockError('provider_not_allowed', 'This tenant does not accept passwords');
  }
};

const endSessions = (store: MockStore, personId: string, reason: string, keep?: string): number => {
  let ended = 0;
  for (const session of store.sessions.values()) {
    if (session.personId === personId && session.revokedAt === null && session.id !== keep) {
      store.revokeSession(session, reason);
      ended += 1;
    }
  }
  return ended;
};

/** Sets the person's password through the core's store. */
async function setPassword(store: MockStore, personId: string, password: string): Promise<void> {
  const hash = await passwordHasher.hash(password);
  await store.db.transaction((repos) => repos.passwords.set(personId, hash, new Date(store.now())));
}

const caller = (ctx: MockContext) => {
  const user = userOf(ctx);
  const person = ctx.store.persons.get(user.account.personId)!;
  return { user, person, subject: personSubject(ctx.store, user.account.tenantId, person.id) };
};

/** Reset by mailed code (change is the core's handler: server/core/src/passwords/handlers.ts). */
export const passwordRoutes = (options: {
  devMode: boolean;
}): Omit<RouterImpl<typeof contract.password>, 'change'> => ({
  requestReset: async ({ body }, { store }) => {
    const tenant = tenantByCode(store, body.tenant_code);
    requirePasswords(tenant);
    const sent = await sendOtp(store, {
      channel: 'email',
      address: body.email,
      tenantId: tenant.id,
      purpose: 'password_reset',
      accepted: true,
      devMode: options.devMode,
    });
    return { status: 200, body: sent };
  },

  confirmReset: async ({ body }, { store }) => {
    const tenant = tenantByCode(store, body.tenant_code);
    requirePasswords(tenant);
    assertStrongPassword(body.new_password, 'body.new_password', {
      email: body.email,
      tenantName: tenant.name,
    });
    const { throttle } = store;
    const subject = { tenantId: tenant.id, identifier: body.email, client: {} };
    const gate = await throttle.gate(subject);
    if (gate) throw gate;
    const check = await checkOtp(
      store,
      { purpose: 'password_reset', email: body.email, tenantId: tenant.id },
      body.code,
    );
    if (!check.ok) {
      const limited = countsAsGuess(check.reason)
        ? await throttle.recordFailure(subject, check.reason)
        : undefined;
      throw limited ?? check.error;
    }
    const known = store.personByEmail(body.email);
    const live = known
      ? [...store.sessions.values()].filter((s) => s.personId === known.id && s.revokedAt === null).length
      : 0;
    const person = await personOfEmail(store, body.email, true);
    await setPassword(store, person.id, body.new_password);
    await throttle.recordSuccess(subject);
    endSessions(store, person.id, 'password_reset');
    return { status: 200, body: { reset: true, sessions_revoked: live } };
  },
});

const mfaStatus = (store: MockStore, personId: string) => {
  const totp = store.totp.get(personId);
  return {
    enabled: totp?.enabledAt != null,
    pending: totp != null && totp.enabledAt === null,
    enabled_at: totp?.enabledAt != null ? iso(totp.enabledAt) : null,
    recovery_codes_remaining: totp?.enabledAt != null ? recoveryCodesLeft(store, personId) : 0,
  };
};

const requireMfa = (store: MockStore, personId: string, detail: string) => {
  if (!mfaEnabled(store, personId)) throw new MockError('mfa_not_enabled', detail);
};

const tokenInvalid = () =>
  new MockError('mfa_token_invalid', 'This sign-in has expired or was already finished: sign in again');

export const mfaRoutes: RouterImpl<typeof contract.mfa> = {
  status: (_request, ctx) => ({ status: 200, body: mfaStatus(ctx.store, caller(ctx).person.id) }),

  enroll: (_request, ctx) => {
    const { store } = ctx;
    const { user, person } = caller(ctx);
    if (store.totp.get(person.id)?.enabledAt != null) {
      throw new MockError(
        'conflict',
        'Two-step verification is already on: disable it before enrolling again',
      );
    }
    const secret = newTotpSecret();
    store.totp.set(person.id, { secret, enabledAt: null, lastUsedStep: null });
    const tenant = store.tenants.get(user.account.tenantId)!;
    return {
      status: 200,
      body: {
        secret,
        otpauth_uri: otpauthUri(tenant.name, person.email ?? person.id, secret),
        qr_code: PLACEHOLDER_QR,
      },
    };
  },

  confirm: async ({ body }, ctx) => {
    const { store } = ctx;
    const { person, subject } = caller(ctx);
    const totp = store.totp.get(person.id);
    if (!totp || totp.enabledAt !== null) {
      throw new MockError(
        'conflict',
        totp
          ? 'Two-step verification is already on'
          : 'Nothing to confirm: start with POST /auth/mfa/totp/enroll',
      );
    }
    const { throttle } = store;
    const gate = await throttle.gate(subject);
    if (gate) throw gate;
    const check = await checkTotp(totp.secret, body.code, new Date(store.now()), totp.lastUsedStep);
    if (!check.ok) throw (await throttle.recordFailure(subject, check.reason)) ?? invalidMfaCode();
    totp.enabledAt = store.now();
    totp.lastUsedStep = check.step;
    return { status: 200, body: { recovery_codes: regenerateRecoveryCodes(store, person.id) } };
  },

  disable: async ({ body }, ctx) => {
    const { store } = ctx;
    const { person, subject } = caller(ctx);
    requireMfa(store, person.id, 'Two-step verification is not on for this account');
    const hash = store.passwords.get(person.id)?.hash;
    if (hash) {
      if (body.password === undefined) {
        const message = 'required: this account has a password';
        throw new MockError('validation_failed', 'Send your password to turn two-step verification off', {
          errors: [{ path: 'body.password', message }],
        });
      }
      const { throttle } = store;
      const gate = await throttle.gate(subject);
      if (gate) throw gate;
      if (!(await verifyPassword(hash, body.password))) {
        throw (
          (await throttle.recordFailure(subject, 'wrong_password')) ??
          new MockError('invalid_credentials', 'The password is wrong')
        );
      }
    }
    const factor = 'code' in body ? { code: body.code } : { recovery_code: body.recovery_code };
    await provideSecondFactor(store, subject, person.id, factor);
    store.totp.delete(person.id);
    store.recoveryCodes.delete(person.id);
    return { status: 200, body: mfaStatus(store, person.id) };
  },

  regenerateRecoveryCodes: async ({ body }, ctx) => {
    const { store } = ctx;
    const { person, subject } = caller(ctx);
    requireMfa(store, person.id, 'Two-step verification is not on for this account');
    await provideSecondFactor(store, subject, person.id, body);
    return { status: 200, body: { recovery_codes: regenerateRecoveryCodes(store, person.id) } };
  },

  verify: async ({ body }, { store, tokens }) => {
    const challenge = store.mfaChallenges.get(body.mfa_token);
    const now = store.now();
    if (
      !challenge ||
      challenge.consumedAt !== null ||
      challenge.expiresAt <= now ||
      challenge.attempts >= MFA_CHALLENGE_MAX_ATTEMPTS
    ) {
      throw tokenInvalid();
    }
    const subject = personSubject(store, challenge.tenantId, challenge.personId);
    const { throttle } = store;
    const gate = await throttle.gate(subject);
    if (gate) throw gate;
    const factor = 'code' in body ? { code: body.code } : { recovery_code: body.recovery_code };
    const check = await checkFactor(store, challenge.personId, factor);
    if (!check.ok) {
      challenge.attempts += 1;
      const limited = await throttle.recordFailure(subject, check.reason);
      throw limited ?? (challenge.attempts >= MFA_CHALLENGE_MAX_ATTEMPTS ? tokenInvalid() : check.error);
    }
    challenge.consumedAt = now;
    const account = store.accounts.get(challenge.accountId)!;
    if (!account.active) throw new MockError('account_inactive', 'This account has been deactivated');
    await throttle.recordSuccess(subject);
    const amr = [...new Set([...challenge.amr, check.method, 'mfa'])];
    return { status: 200, body: await tokens.signIn(account, amr, now) };
  },

  stepUp: async ({ body }, ctx) => {
    const { store, tokens } = ctx;
    const { user, person, subject } = caller(ctx);
    requireMfa(store, person.id, 'Two-step verification is not on: enroll with POST /auth/mfa/totp/enroll');
    const method = await provideSecondFactor(store, subject, person.id, body);
    const now = store.now();
    const { session, account } = user;
    session.amr = [...new Set([...session.amr, method, 'mfa'])];
    session.mfaAt = new Date(now);
    if (!account.active) throw new MockError('account_inactive', 'This account has been deactivated');
    const access = await tokens.issueAccessToken(account, session);
    return {
      status: 200,
      body: {
        token: access.token,
        token_type: 'Bearer',
        expires_at: access.expiresAt.toISOString(),
        amr: [...session.amr],
        mfa_at: iso(now),
      },
    };
  },
};
