import {
  OtpService,
  type PasskeyDeps,
  passkeySignIn,
  type SignInMethod,
  SignInThrottle,
  simpleWebAuthnVerifier,
  webCryptoRandom,
} from '@enforcer/core';
import {
  type MemoryAccountRow,
  type MemoryCompiledPolicy,
  MemoryDatabase,
  type MemoryTenantRow,
} from '@enforcer/core/memory';
import type { Clock } from '../shared/clock';

/** A code the mock sent (what `mock.lastOtp` reads); the challenge itself is in `db.codes`. */
export interface OtpRow {
  /** `login` (email codes), `verify_email`, `password_reset`, `phone_login`, `verify_phone`. */
  purpose: string;
  /** The email, or the E.164 number of a phone code. */
  email: string;
  tenantId: string | null;
  code: string;
  expiresAt: number;
}

/**
 * What the mock keeps: the core's memory database (every table the server keeps in PostgreSQL), the
 * codes it captured, and what the core's rules are built with on the mock's clock.
 */
export class MockStore {
  readonly clock: Clock;
  /** The core's unit of work over memory: the stores the core's handlers use. */
  readonly db: MemoryDatabase;
  /** Codes sent, by purpose, address and tenant (`mock.lastOtp`). */
  readonly otps = new Map<string, OtpRow>();
  /** The core's sign-in throttle, its counters in `db` (each call its own unit of work). */
  readonly throttle: SignInThrottle;
  /** The core's one-time codes, their challenges in `db` (a key of this mock's own). */
  readonly otp: OtpService;
  /** What the core's passkey rules are built with (server/core/src/passkeys), and its sign-in method. */
  readonly passkeyDeps: PasskeyDeps;
  readonly passkeySignIn: SignInMethod<'passkey'>;

  constructor(clock: Clock) {
    this.clock = clock;
    this.db = new MemoryDatabase({ now: () => new Date(this.now()) });
    this.throttle = new SignInThrottle({ clock: { now: () => this.db.now() }, uow: this.db });
    this.otp = new OtpService({
      store: this.db.codes,
      clock: { now: () => this.db.now() },
      random: webCryptoRandom,
      codeKey: webCryptoRandom.bytes(32),
    });
    this.passkeyDeps = {
      clock: { now: () => this.db.now() },
      random: webCryptoRandom,
      // The server's verifier (@simplewebauthn/server runs on WebCrypto, in Node and in the browser).
      webauthn: simpleWebAuthnVerifier(),
      decoyKey: webCryptoRandom.bytes(32),
    };
    this.passkeySignIn = passkeySignIn(this.passkeyDeps);
  }

  now(): number {
    return this.clock.now();
  }

  /** A tenant by id or code. */
  tenant(idOrCode: string): MemoryTenantRow | undefined {
    const code = idOrCode.trim().toUpperCase();
    const byCode = [...this.db.tables.tenants.values()].find((t) => t.code === code);
    return this.db.tables.tenants.get(idOrCode) ?? byCode;
  }

  account(id: string): MemoryAccountRow | undefined {
    return this.db.tables.accounts.get(id);
  }

  /** The tenant's effective policy, compiled once per version (the core's memory policy store's cache). */
  policyOf(tenantId: string): MemoryCompiledPolicy {
    return this.db.compiledPolicies.of(this.db, tenantId);
  }

  reset(): void {
    this.otps.clear();
    this.db.clear();
  }
}
