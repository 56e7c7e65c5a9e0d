import type { SecondFactor } from '@enforcer/contract';
import { type EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Account, type IAccount, type IPerson, Person } from '../../../entities/accounts.js';
import {
  type IMfaChallenge,
  type ITotpCredential,
  MfaChallenge,
  TotpCredential,
} from '../../../entities/mfa.js';
import type { ITenant } from '../../../entities/tenants.js';
import { Tenant } from '../../../entities/tenants.js';
import { addSeconds, type Clock } from '../../../lib/clock.js';
import { sha256 } from '../../../lib/crypto.js';
import { AppError } from '../../../lib/errors.js';
import type { RandomSource } from '../../../lib/random.js';
import type { ClientInfo } from '../../tokens/session-tokens.js';
import { RecoveryCodeService } from './recovery-codes.js';
import { TotpService } from './totp.js';

/** An MFA challenge (`mfa_token`) works this long after the first factor. */
export const MFA_CHALLENGE_TTL_SECONDS = 300;
/** Wrong codes a challenge survives; the fifth burns it. */
export const MFA_CHALLENGE_MAX_ATTEMPTS = 5;
export const MFA_TOKEN_PREFIX = 'emt_';
export const MFA_METHODS = ['totp', 'recovery_code'] as const;

/** The `amr` values (RFC 8176 style) a second factor adds to a session. */
export const amrOfSecondFactor = (method: 'totp' | 'recovery_code'): string[] => [method, 'mfa'];

/** First factors that are multi-factor already (a passkey with user verification): no second one asked. */
const MULTI_FACTOR_AMR = ['hwk', 'mfa'];

export type FactorCheck =
  | { ok: true; method: 'totp' | 'recovery_code' }
  | { ok: false; reason: string; error: AppError };

export const invalidMfaCode = () =>
  new AppError('invalid_mfa_code', 'The code is wrong, expired or already used');

/**
 * The second factor: TOTP enrollment and checks, recovery codes, and the challenges that sit between a
 * right first factor and a session. Everything runs in the caller's transaction.
 */
export class MfaService {
  readonly totp: TotpService;
  readonly recovery: RecoveryCodeService;
  readonly #clock: Clock;
  readonly #random: RandomSource;

  constructor(options: { masterKey: Buffer; clock: Clock; random: RandomSource }) {
    this.totp = new TotpService(options);
    this.recovery = new RecoveryCodeService(options);
    this.#clock = options.clock;
    this.#random = options.random;
  }

  /** The person's confirmed TOTP credential, locked (replay protection updates it). */
  enabledTotp(em: EntityManager, personId: string): Promise<ITotpCredential | null> {
    return em.findOne(
      TotpCredential,
      { person: personId, enabledAt: { $ne: null } },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
  }

  /** Does the sign-in of `amr` need a second factor for this person? */
  async required(em: EntityManager, personId: string, amr: readonly string[]): Promise<boolean> {
    if (amr.some((value) => MULTI_FACTOR_AMR.includes(value))) return false;
    return (await em.count(TotpCredential, { person: personId, enabledAt: { $ne: null } })) > 0;
  }

  /**
   * Checks a TOTP code or spends a recovery code. A right TOTP code moves the credential's last used
   * step forward, so the same code (or an older one) never works again.
   */
  async checkFactor(em: EntityManager, personId: string, factor: SecondFactor): Promise<FactorCheck> {
    if ('recovery_code' in factor) {
      const spent = await this.recovery.consume(em, personId, factor.recovery_code);
      return spent
        ? { ok: true, method: 'recovery_code' }
        : { ok: false, reason: 'wrong_recovery_code', error: invalidMfaCode() };
    }
    const credential = await this.enabledTotp(em, personId);
    if (!credential) {
      return {
        ok: false,
        reason: 'mfa_not_enabled',
        error: new AppError('mfa_not_enabled', 'Two-step verification is not on for this account'),
      };
    }
    const check = await this.totp.check(credential, factor.code);
    if (!check.ok) return { ok: false, reason: check.reason, error: invalidMfaCode() };
    credential.lastUsedStep = check.step;
    await em.flush();
    return { ok: true, method: 'totp' };
  }

  /** Starts a challenge for a sign-in whose first factor was right; answers the opaque token. */
  async issueChallenge(
    em: EntityManager,
    input: {
      account: IAccount;
      person: IPerson;
      tenant: ITenant;
      provider: string;
      amr: readonly string[];
      client: ClientInfo;
    },
  ): Promise<{ token: string; expiresAt: Date; challengeId: string }> {
    const now = this.#clock.now();
    const token = MFA_TOKEN_PREFIX + this.#random.bytes(32).toString('base64url');
    const expiresAt = addSeconds(now, MFA_CHALLENGE_TTL_SECONDS);
    const challenge = em.create(MfaChallenge, {
      id: this.#random.uuid(),
      tokenHash: sha256(token),
      account: em.getReference(Account, input.account.id),
      person: em.getReference(Person, input.person.id),
      tenant: em.getReference(Tenant, input.tenant.id),
      provider: input.provider,
      amr: [...input.amr],
      attempts: 0,
      ip: input.client.ip ?? null,
      userAgent: input.client.userAgent ?? null,
      createdAt: now,
      expiresAt,
      consumedAt: null,
    });
    await em.flush();
    return { token, expiresAt, challengeId: challenge.id };
  }

  /** The live challenge of a token, locked; undefined when unknown, spent, expired or burnt. */
  async liveChallenge(em: EntityManager, token: string): Promise<IMfaChallenge | undefined> {
    if (!token.startsWith(MFA_TOKEN_PREFIX) || token.length > 100) return undefined;
    const challenge = await em.findOne(
      MfaChallenge,
      { tokenHash: sha256(token) },
      { lockMode: LockMode.PESSIMISTIC_WRITE },
    );
    if (
      !challenge ||
      challenge.consumedAt ||
      challenge.expiresAt <= this.#clock.now() ||
      challenge.attempts >= MFA_CHALLENGE_MAX_ATTEMPTS
    ) {
      return undefined;
    }
    return challenge;
  }
}
