import type { MfaStatus, SecondFactor } from '@enforcer/contract';
import type { SecondFactorGate } from '../auth/login.js';
import type { RefreshSecondFactorGate } from '../auth/open-session.js';
import type { ClientInfo } from '../caller.js';
import { AppError } from '../errors.js';
import { base32, base32With, checkTotp, TOTP_SECRET_BYTES } from '../methods/totp.js';
import { addSeconds, base64url, type Clock, type RandomSource, webCryptoHashing } from '../platform.js';
import type { SessionRecord } from '../sessions/ports.js';
import type { Repositories } from '../store.js';
import { authSettingsOf } from '../tenants/auth-settings.js';
import type { TenantRecord } from '../tenants/ports.js';
import { personIdentifier } from '../throttle/rules.js';
import type { SignInThrottle, ThrottleSubject } from '../throttle/sign-in-throttle.js';
import type { TotpFactorRecord } from './ports.js';
import type { SecretSealer } from './sealer.js';

/** An MFA challenge (`mfa_token`) works this long after the first factor. */
export const MFA_CHALLENGE_TTL_SECONDS = 300;
/** Wrong codes a challenge survives; the fifth burns it. */
export const MFA_CHALLENGE_MAX_ATTEMPTS = 5;
export const MFA_TOKEN_PREFIX = 'emt_';
export const MFA_METHODS = ['totp', 'recovery_code'] as const;
export type SecondFactorMethod = (typeof MFA_METHODS)[number];
/** Ten recovery codes per set, 80 random bits each (16 characters of Crockford base32). */
export const RECOVERY_CODE_COUNT = 10;
export const RECOVERY_CODE_BYTES = 10;

/** The `amr` values (RFC 8176 style) a second factor adds to a session. */
export const amrOfSecondFactor = (method: SecondFactorMethod): string[] => [method, 'mfa'];

/** First factors that are multi-factor already (a passkey with user verification): no second one asked. */
const MULTI_FACTOR_AMR = ['hwk', 'mfa'];

/** Crockford's base32 in lower case: no i, l, o, u (nothing to misread). */
const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** What people type: the contract already lower-cased it and removed dashes; i/l read as 1, o as 0. */
export const normalizeRecoveryCode = (code: string): string => code.replace(/[il]/g, '1').replace(/o/g, '0');

/**
 * The `otpauth://` URI an authenticator app scans, as otplib's `generateURI` writes it: the defaults
 * (SHA1, 6 digits, 30 s) are left out.
 */
export const otpauthUri = (issuer: string, label: string, secret: string): string =>
  `otpauth://totp/${encodeURIComponent(issuer)}:${encodeURIComponent(label)}?secret=${secret}` +
  `&issuer=${encodeURIComponent(issuer)}`;

/** A refusal decided inside a unit of work that must commit anyway (a counted guess), raised after it. */
export type MfaOutcome<T> = { ok: true; value: T } | { ok: false; error: AppError };
const fail = (error: AppError): { ok: false; error: AppError } => ({ ok: false, error });
const done = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });

export const invalidMfaCode = () =>
  new AppError('invalid_mfa_code', 'The code is wrong, expired or already used');
export const mfaNotEnabled = (detail = 'Two-step verification is not on for this account') =>
  new AppError('mfa_not_enabled', detail);
export const mfaTokenInvalid = () =>
  new AppError('mfa_token_invalid', 'This sign-in has expired or was already finished: sign in again');

export type FactorCheck =
  | { ok: true; method: SecondFactorMethod }
  | { ok: false; reason: string; error: AppError };

/** What a signed-in person's second-factor rules work with. */
export interface SecondFactorDeps {
  clock: Clock;
  random: RandomSource;
  /** TOTP secrets are stored sealed, bound to their person. */
  sealer: SecretSealer;
  /** HMAC key of recovery codes: a database dump cannot test guesses. */
  recoveryCodeKey: Uint8Array;
  /** The sign-in throttle, given each unit of work's repositories. */
  throttle: SignInThrottle;
}

const sealedFor = (personId: string) => `totp/v1:${personId}`;

/**
 * The second factor: TOTP enrollment and checks, recovery codes. Everything runs in the unit of work it
 * is given; refusals that count (a wrong code) are returned so the count commits.
 */
export class SecondFactors {
  readonly #deps: SecondFactorDeps;

  constructor(deps: SecondFactorDeps) {
    this.#deps = deps;
  }

  /** The person's MFA state, as `GET /auth/mfa` answers it. */
  async status(repos: Repositories, personId: string): Promise<MfaStatus> {
    const totp = await repos.mfa.findTotp(personId);
    return {
      enabled: totp?.enabledAt != null,
      pending: totp != null && totp.enabledAt == null,
      enabled_at: totp?.enabledAt?.toISOString() ?? null,
      recovery_codes_remaining: totp?.enabledAt ? await repos.mfa.recoveryCodesLeft(personId) : 0,
    };
  }

  async enabled(repos: Repositories, personId: string): Promise<boolean> {
    return (await repos.mfa.findTotp(personId))?.enabledAt != null;
  }

  /**
   * TOTP enrollment: a new secret (160 bits), stored sealed and pending until a code confirms it. Starting
   * again replaces a pending secret; an enabled one must be disabled first. Answers the secret (the only
   * time it leaves the store) and the URI to scan.
   */
  async enroll(
    repos: Repositories,
    input: { personId: string; tenantId: string; accountId: string; client: ClientInfo },
  ) {
    const { clock, random, sealer } = this.#deps;
    await repos.mfa.lock(input.personId);
    const existing = await repos.mfa.findTotp(input.personId);
    if (existing?.enabledAt) {
      throw new AppError(
        'conflict',
        'Two-step verification is already on: disable it before enrolling again',
      );
    }
    const person = await repos.persons.find(input.personId);
    const tenant = await repos.tenants.find(input.tenantId);
    if (!person || !tenant) throw new AppError('unauthenticated', 'This call needs a signed-in user');
    const secret = base32(random.bytes(TOTP_SECRET_BYTES));
    await repos.mfa.saveTotp({
      id: existing?.id ?? random.uuid(),
      personId: person.id,
      secretSealed: await sealer.seal(secret, sealedFor(person.id)),
      lastUsedStep: null,
      createdAt: clock.now(),
      enabledAt: null,
    });
    repos.audit.record({
      action: 'auth.mfa.enrollment_started',
      actor: { type: 'account', id: input.accountId },
      tenantId: input.tenantId,
      target: { type: 'person', id: person.id },
      ...input.client,
      details: { method: 'totp' },
    });
    return { secret, otpauth_uri: otpauthUri(tenant.name, person.email ?? person.id, secret) };
  }

  /**
   * TOTP confirmation: the first code from the app proves it holds the secret. MFA is on from now on, for
   * every tenant of the person; ten recovery codes are answered once. A wrong code counts on the throttle.
   */
  async confirm(
    repos: Repositories,
    input: { personId: string; tenantId: string; accountId: string; code: string; client: ClientInfo },
  ): Promise<MfaOutcome<string[]>> {
    const { throttle, clock } = this.#deps;
    await repos.mfa.lock(input.personId);
    const totp = await repos.mfa.findTotp(input.personId);
    if (!totp || totp.enabledAt) {
      throw new AppError(
        'conflict',
        totp
          ? 'Two-step verification is already on'
          : 'Nothing to confirm: start with POST /auth/mfa/totp/enroll',
      );
    }
    const subject = await this.#subject(repos, input);
    const gate = await throttle.gate(subject, repos);
    if (gate) return fail(gate);
    const check = await this.#checkTotp(totp, input.code);
    if (!check.ok) {
      const limited = await throttle.recordFailure(subject, check.reason, repos);
      this.#failed(repos, input, 'confirm', check.reason);
      return fail(limited ?? invalidMfaCode());
    }
    await repos.mfa.saveTotp({ ...totp, enabledAt: clock.now(), lastUsedStep: check.step });
    const codes = await this.regenerateCodes(repos, input.personId);
    repos.audit.record({
      action: 'auth.mfa.enabled',
      actor: { type: 'account', id: input.accountId },
      tenantId: input.tenantId,
      target: { type: 'person', id: input.personId },
      ...input.client,
      details: { method: 'totp', recovery_codes: codes.length },
    });
    return done(codes);
  }

  /** Replaces the person's recovery codes with a fresh set; answers the codes (shown once). */
  async regenerateCodes(repos: Repositories, personId: string): Promise<string[]> {
    const { clock, random } = this.#deps;
    const now = clock.now();
    const codes: string[] = [];
    const records = [];
    for (let i = 0; i < RECOVERY_CODE_COUNT; i++) {
      const code = base32With(CROCKFORD, random.bytes(RECOVERY_CODE_BYTES));
      codes.push(code.match(/.{4}/g)!.join('-'));
      records.push({
        id: random.uuid(),
        personId,
        codeHash: await this.#codeHash(personId, code),
        usedAt: null,
        createdAt: now,
      });
    }
    await repos.mfa.replaceRecoveryCodes(personId, records);
    return codes;
  }

  /**
   * Checks a TOTP code or spends a recovery code. A right TOTP code moves the authenticator's last used
   * step forward, so the same code (or an older one) never works again.
   */
  async checkFactor(repos: Repositories, personId: string, factor: SecondFactor): Promise<FactorCheck> {
    const now = this.#deps.clock.now();
    if ('recovery_code' in factor) {
      const hash = await this.#codeHash(personId, normalizeRecoveryCode(factor.recovery_code));
      return (await repos.mfa.spendRecoveryCode(personId, hash, now))
        ? { ok: true, method: 'recovery_code' }
        : { ok: false, reason: 'wrong_recovery_code', error: invalidMfaCode() };
    }
    await repos.mfa.lock(personId);
    const totp = await repos.mfa.findTotp(personId);
    if (!totp?.enabledAt) return { ok: false, reason: 'mfa_not_enabled', error: mfaNotEnabled() };
    const check = await this.#checkTotp(totp, factor.code);
    if (!check.ok) return { ok: false, reason: check.reason, error: invalidMfaCode() };
    await repos.mfa.saveTotp({ ...totp, lastUsedStep: check.step });
    return { ok: true, method: 'totp' };
  }

  /**
   * A second factor presented by a signed-in person (step-up, disable, new recovery codes): throttled like
   * a sign-in, audited, and a recovery code's use recorded with how many are left.
   */
  async provide(
    repos: Repositories,
    input: {
      personId: string;
      tenantId: string;
      accountId: string;
      factor: SecondFactor;
      client: ClientInfo;
      /** What the factor is for, in the audit log (`step_up`, `disable`, `regenerate_recovery_codes`). */
      purpose: string;
    },
  ): Promise<MfaOutcome<SecondFactorMethod>> {
    const { throttle } = this.#deps;
    const subject = await this.#subject(repos, input);
    const gate = await throttle.gate(subject, repos);
    if (gate) return fail(gate);
    const check = await this.checkFactor(repos, input.personId, input.factor);
    if (!check.ok) {
      const limited =
        check.reason === 'mfa_not_enabled'
          ? undefined
          : await throttle.recordFailure(subject, check.reason, repos);
      this.#failed(repos, input, input.purpose, check.reason);
      return fail(limited ?? check.error);
    }
    if (check.method === 'recovery_code') await this.recoveryCodeUsed(repos, input, input.purpose);
    return done(check.method);
  }

  /** Audits a recovery code's use, with how many the person has left. */
  async recoveryCodeUsed(
    repos: Repositories,
    input: { personId: string; tenantId: string; accountId: string; client: Partial<ClientInfo> },
    purpose: string,
  ): Promise<void> {
    repos.audit.record({
      action: 'auth.mfa.recovery_code.used',
      actor: { type: 'account', id: input.accountId },
      tenantId: input.tenantId,
      target: { type: 'person', id: input.personId },
      ...input.client,
      details: { purpose, remaining: await repos.mfa.recoveryCodesLeft(input.personId) },
    });
  }

  /** The throttle's subject for a person signing in to (or signed in to) a tenant. */
  async #subject(
    repos: Repositories,
    input: { personId: string; tenantId: string; client: Partial<ClientInfo> },
  ): Promise<ThrottleSubject> {
    const person = await repos.persons.find(input.personId);
    return {
      tenantId: input.tenantId,
      identifier: person ? personIdentifier(person) : null,
      client: input.client,
    };
  }

  #failed(
    repos: Repositories,
    input: { personId: string; tenantId: string; accountId: string; client: Partial<ClientInfo> },
    purpose: string,
    reason: string,
  ): void {
    repos.audit.record({
      action: 'auth.mfa.failed',
      actor: { type: 'account', id: input.accountId },
      tenantId: input.tenantId,
      target: { type: 'person', id: input.personId },
      ...input.client,
      details: { purpose, reason },
    });
  }

  async #checkTotp(totp: TotpFactorRecord, code: string) {
    const secret = await this.#deps.sealer.open(totp.secretSealed, sealedFor(totp.personId));
    return checkTotp(secret, code, this.#deps.clock.now(), totp.lastUsedStep);
  }

  /** HMAC-SHA256 over (person id, code): a hash is useless for anyone else, and the lookup is the comparison. */
  #codeHash(personId: string, code: string): Promise<string> {
    return webCryptoHashing.hmacSha256(this.#deps.recoveryCodeKey, `recovery/v1\n${personId}\n${code}`);
  }
}

/** What a login that proved its first factor hands to the MFA gate. */
export interface SecondFactorRequest {
  accountId: string;
  personId: string;
  tenantId: string;
  /** The login method of the first factor. */
  provider: string;
  amr: readonly string[];
  client: Partial<ClientInfo>;
  /** The tenant requires a second factor of this account (`auth_settings.mfa`: `mfaRequiredOf`). */
  required?: boolean;
}

/** Does the tenant's `auth_settings.mfa` require a second factor of an account holding `roles`? */
export function mfaRequiredOf(tenant: TenantRecord, roles: readonly string[]): boolean {
  const setting = authSettingsOf(tenant.authSettings).mfa;
  if (!setting || setting.required === 'none') return false;
  if (setting.required === 'everyone') return true;
  return roles.some((role) => setting.roles?.includes(role));
}

/**
 * The login flow's MFA gate, called once the first factor is proven and the account is known and active,
 * before any session exists. When the person has TOTP on (and the first factor is not multi-factor by
 * itself, like a passkey), it records a challenge and answers the refusal to raise: `401 mfa_required`
 * whose extension members carry the single-use `mfa_token` (5 minutes) for `POST /auth/mfa/verify`.
 * Null means: no second factor needed, open the session.
 */
export async function requireSecondFactor(
  repos: Repositories,
  deps: { clock: Clock; random: RandomSource },
  input: SecondFactorRequest,
): Promise<AppError | null> {
  if (input.amr.some((value) => MULTI_FACTOR_AMR.includes(value))) return null;
  const enrolled = (await repos.mfa.findTotp(input.personId))?.enabledAt != null;
  // Not enrolled: the sign-in goes on unless the tenant requires a factor, then it must enrol first.
  if (!enrolled && !input.required) return null;
  const now = deps.clock.now();
  const token = MFA_TOKEN_PREFIX + base64url(deps.random.bytes(32));
  const expiresAt = addSeconds(now, MFA_CHALLENGE_TTL_SECONDS);
  const id = deps.random.uuid();
  await repos.mfa.insertChallenge({
    id,
    tokenHash: await webCryptoHashing.sha256(token),
    accountId: input.accountId,
    personId: input.personId,
    tenantId: input.tenantId,
    provider: input.provider,
    amr: [...input.amr],
    attempts: 0,
    ip: input.client.ip ?? null,
    userAgent: input.client.userAgent ?? null,
    createdAt: now,
    expiresAt,
    consumedAt: null,
  });
  repos.audit.record({
    action: enrolled ? 'auth.login.mfa_required' : 'auth.login.mfa_enrollment_required',
    actor: { type: 'account', id: input.accountId },
    tenantId: input.tenantId,
    target: { type: 'mfa_challenge', id },
    ...input.client,
    details: { provider: input.provider, amr: [...input.amr] },
  });
  if (!enrolled) {
    return new AppError(
      'mfa_enrollment_required',
      'This app requires two-step verification: enrol with POST /auth/mfa/enroll and the mfa_token, then confirm with POST /auth/mfa/enroll/confirm',
      {
        extensions: {
          mfa_token: token,
          mfa_token_expires_at: expiresAt.toISOString(),
          mfa_methods: ['totp'],
        },
      },
    );
  }
  return new AppError(
    'mfa_required',
    'This account uses two-step verification: finish signing in with POST /auth/mfa/verify and the mfa_token',
    {
      extensions: {
        mfa_token: token,
        mfa_token_expires_at: expiresAt.toISOString(),
        mfa_methods: [...MFA_METHODS],
      },
    },
  );
}

/** The login flow's MFA gate (`LoginDeps.secondFactor`): `requireSecondFactor`, the same on every side. */
export const secondFactorGate = (deps: { clock: Clock; random: RandomSource }): SecondFactorGate => ({
  require: async (repos, input) =>
    requireSecondFactor(repos, deps, {
      accountId: input.account.id,
      personId: input.person.id,
      tenantId: input.tenant.id,
      provider: input.provider,
      amr: input.amr,
      client: input.client,
      required: mfaRequiredOf(input.tenant, input.account.roles),
    }),
});

/**
 * Does a session lack the second factor its tenant requires of it now? It gave none at sign-in (no
 * `mfa_at`, and no multi-factor method such as a passkey) and `auth_settings.mfa` applies to the account.
 */
export function sessionLacksRequiredFactor(
  tenant: TenantRecord,
  roles: readonly string[],
  session: Pick<SessionRecord, 'mfaAt' | 'amr'>,
): boolean {
  if (session.mfaAt !== null || session.amr.some((value) => MULTI_FACTOR_AMR.includes(value))) return false;
  return mfaRequiredOf(tenant, roles);
}

/**
 * Refresh's MFA gate (`SessionTokens`): a session without the factor its tenant now requires is ended by
 * the refresh, which answers the sign-in's refusal (`mfa_enrollment_required` or `mfa_required`, with an
 * `mfa_token` for the session's account; audited with `provider: "refresh"`).
 */
export const refreshSecondFactorGate = (deps: {
  clock: Clock;
  random: RandomSource;
}): RefreshSecondFactorGate => ({
  lacking: sessionLacksRequiredFactor,
  challenge: async (repos, { session, client }) =>
    (await requireSecondFactor(repos, deps, {
      accountId: session.accountId,
      personId: session.personId,
      tenantId: session.tenantId,
      provider: 'refresh',
      amr: session.amr,
      client,
      required: true,
    }))!,
});
