import type {
  MfaStatus,
  RecoveryCodes,
  SecondFactor,
  TotpConfirmBody,
  TotpDisableBody,
  TotpEnrollment,
} from '@enforcer/contract';
import { personIdentifier } from '@enforcer/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Person } from '../../../entities/accounts.js';
import { RecoveryCode, TotpCredential } from '../../../entities/mfa.js';
import { Tenant } from '../../../entities/tenants.js';
import type { UserPrincipal } from '../../../http/principal.js';
import { AppError } from '../../../lib/errors.js';
import { recordAudit } from '../../audit/record-audit.js';
import { type AuthRequestContext, committed, refuse, success } from '../context.js';
import { argon2Hasher } from '../methods/password/hashing.js';
import type { MfaService } from './mfa-service.js';
import { invalidMfaCode } from './mfa-service.js';
import { provideSecondFactor } from './provide-second-factor.js';

/** The person's MFA state, as `GET /auth/mfa` and `POST /auth/mfa/totp/disable` answer it. */
export async function mfaStatus(em: EntityManager, mfa: MfaService, personId: string): Promise<MfaStatus> {
  const totp = await em.findOne(TotpCredential, { person: personId });
  return {
    enabled: totp?.enabledAt != null,
    pending: totp != null && totp.enabledAt == null,
    enabled_at: totp?.enabledAt?.toISOString() ?? null,
    recovery_codes_remaining: totp?.enabledAt ? await mfa.recovery.remaining(em, personId) : 0,
  };
}

/**
 * TOTP enrollment: a new secret (160 bits from the CSPRNG), stored sealed and pending until
 * a code confirms it. Starting again replaces a pending secret; an enabled one must be disabled first.
 * The answer is the only time the secret leaves the server.
 */
export async function enrollTotp(
  { services, em, client }: AuthRequestContext,
  user: UserPrincipal,
): Promise<TotpEnrollment> {
  const mfa = services.mfa;
  const now = services.clock.now();
  const { secret, person, tenant } = await em.transactional(async (tx) => {
    const person = await tx.findOneOrFail(Person, user.personId);
    const tenant = await tx.findOneOrFail(Tenant, user.tenantId);
    await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`enforcer:totp:${person.id}`]);
    const existing = await tx.findOne(TotpCredential, { person: person.id });
    if (existing?.enabledAt) {
      throw new AppError(
        'conflict',
        'Two-step verification is already on: disable it before enrolling again',
      );
    }
    const secret = mfa.totp.newSecret();
    const sealed = mfa.totp.seal(person.id, secret);
    if (existing) {
      existing.secretSealed = sealed;
      existing.lastUsedStep = null;
      existing.createdAt = now;
    } else {
      tx.create(TotpCredential, {
        id: services.random.uuid(),
        person,
        secretSealed: sealed,
        lastUsedStep: null,
        createdAt: now,
        enabledAt: null,
      });
    }
    recordAudit(tx, services.clock, {
      action: 'auth.mfa.enrollment_started',
      actor: { type: 'account', id: user.accountId },
      tenantId: user.tenantId,
      target: { type: 'person', id: person.id },
      ...client,
      details: { method: 'totp' },
    });
    return { secret, person, tenant };
  });
  const label = person.email ?? person.id;
  return await mfa.totp.enrollment(secret, tenant.name, label);
}

/**
 * TOTP confirmation: the first code from the app proves it holds the secret. MFA is on from
 * now on, for every tenant of the person; ten recovery codes are answered once (any older ones stop
 * working). A wrong code counts towards the sign-in throttle.
 */
export async function confirmTotp(
  { services, em, client }: AuthRequestContext,
  user: UserPrincipal,
  body: TotpConfirmBody,
): Promise<RecoveryCodes> {
  const mfa = services.mfa;
  const throttle = services.throttle;
  const codes = await committed(em, async (tx) => {
    const person = await tx.findOneOrFail(Person, user.personId);
    await tx.execute('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`enforcer:totp:${person.id}`]);
    const credential = await tx.findOne(TotpCredential, { person: person.id });
    if (!credential || credential.enabledAt) {
      throw new AppError(
        'conflict',
        credential
          ? 'Two-step verification is already on'
          : 'Nothing to confirm: start with POST /auth/mfa/totp/enroll',
      );
    }
    const subject = { tenantId: user.tenantId, identifier: personIdentifier(person), client };
    const gate = await throttle.gate(subject, services.uow.within(tx));
    if (gate) return refuse(gate);
    const check = await mfa.totp.check(credential, body.code);
    const actor = { type: 'account' as const, id: user.accountId };
    if (!check.ok) {
      const limited = await throttle.recordFailure(subject, check.reason, services.uow.within(tx));
      recordAudit(tx, services.clock, {
        action: 'auth.mfa.failed',
        actor,
        tenantId: user.tenantId,
        target: { type: 'person', id: person.id },
        ...client,
        details: { purpose: 'confirm', reason: check.reason },
      });
      return refuse(limited ?? invalidMfaCode());
    }
    credential.enabledAt = services.clock.now();
    credential.lastUsedStep = check.step;
    const codes = await mfa.recovery.regenerate(tx, person.id);
    recordAudit(tx, services.clock, {
      action: 'auth.mfa.enabled',
      actor,
      tenantId: user.tenantId,
      target: { type: 'person', id: person.id },
      ...client,
      details: { method: 'totp', recovery_codes: codes.length },
    });
    return success(codes);
  });
  return { recovery_codes: codes };
}

/**
 * Turning TOTP off: re-authentication first: a TOTP or recovery code, and the password when
 * the person has one (a stolen session alone cannot turn MFA off). Removes the authenticator and every
 * recovery code. Wrong answers count towards the sign-in throttle.
 */
export async function disableTotp(
  { services, em, client }: AuthRequestContext,
  user: UserPrincipal,
  body: TotpDisableBody,
): Promise<MfaStatus> {
  const mfa = services.mfa;
  const throttle = services.throttle;
  await committed(em, async (tx) => {
    const person = await tx.findOneOrFail(Person, user.personId);
    if (!(await mfa.enabledTotp(tx, person.id))) {
      throw new AppError('mfa_not_enabled', 'Two-step verification is not on for this account');
    }
    const password = await services.uow.within(tx).passwords.find(person.id);
    if (password) {
      if (body.password === undefined) {
        const message = 'required: this account has a password';
        throw new AppError('validation_failed', 'Send your password to turn two-step verification off', {
          errors: [{ path: 'body.password', message }],
        });
      }
      const subject = { tenantId: user.tenantId, identifier: personIdentifier(person), client };
      const gate = await throttle.gate(subject, services.uow.within(tx));
      if (gate) return refuse(gate);
      if (!(await argon2Hasher.verify(password.hash, body.password))) {
        const limited = await throttle.recordFailure(subject, 'wrong_password', services.uow.within(tx));
        recordAudit(tx, services.clock, {
          action: 'auth.mfa.failed',
          actor: { type: 'account', id: user.accountId },
          tenantId: user.tenantId,
          target: { type: 'person', id: person.id },
          ...client,
          details: { purpose: 'disable', reason: 'wrong_password' },
        });
        return refuse(limited ?? new AppError('invalid_credentials', 'The password is wrong'));
      }
    }
    const factor = 'code' in body ? { code: body.code } : { recovery_code: body.recovery_code };
    const proof = await provideSecondFactor(tx, services, {
      person,
      tenantId: user.tenantId,
      accountId: user.accountId,
      factor,
      client,
      purpose: 'disable',
    });
    if (!proof.ok) return proof;
    await tx.nativeDelete(TotpCredential, { person: person.id });
    await tx.nativeDelete(RecoveryCode, { person: person.id });
    recordAudit(tx, services.clock, {
      action: 'auth.mfa.disabled',
      actor: { type: 'account', id: user.accountId },
      tenantId: user.tenantId,
      target: { type: 'person', id: person.id },
      ...client,
      details: { method: 'totp', proof: proof.value },
    });
    return success(undefined);
  });
  return await mfaStatus(em.fork(), mfa, user.personId);
}

/** New recovery codes: a TOTP or recovery code first, then ten new codes (the old ones die). */
export async function renewRecoveryCodes(
  { services, em, client }: AuthRequestContext,
  user: UserPrincipal,
  body: SecondFactor,
): Promise<RecoveryCodes> {
  const mfa = services.mfa;
  const codes = await committed(em, async (tx) => {
    const person = await tx.findOneOrFail(Person, user.personId);
    if (!(await mfa.enabledTotp(tx, person.id))) {
      throw new AppError('mfa_not_enabled', 'Two-step verification is not on for this account');
    }
    const proof = await provideSecondFactor(tx, services, {
      person,
      tenantId: user.tenantId,
      accountId: user.accountId,
      factor: body,
      client,
      purpose: 'regenerate_recovery_codes',
    });
    if (!proof.ok) return proof;
    const codes = await mfa.recovery.regenerate(tx, person.id);
    recordAudit(tx, services.clock, {
      action: 'auth.mfa.recovery_codes.regenerated',
      actor: { type: 'account', id: user.accountId },
      tenantId: user.tenantId,
      target: { type: 'person', id: person.id },
      ...client,
      details: { proof: proof.value, count: codes.length },
    });
    return success(codes);
  });
  return { recovery_codes: codes };
}
