import { type MfaHandlerDeps, webCryptoSealer } from '@enforcer/core';
import { LockMode } from '@mikro-orm/postgresql';
import { toDataURL } from 'qrcode';
import { Account, Person } from '../../../entities/accounts.js';
import { PasswordCredential } from '../../../entities/passwords.js';
import { Session } from '../../../entities/sessions.js';
import { Tenant } from '../../../entities/tenants.js';
import { deriveKey } from '../../../lib/crypto.js';
import { AppError } from '../../../lib/errors.js';
import type { Services } from '../../../services.js';
import { entityManagerOf } from '../../../stores/postgres/unit-of-work.js';
import { loadGrant } from '../../tokens/load-grant.js';
import { verifyPassword } from '../methods/password/hashing.js';
import { openSession } from '../sign-in.js';

/**
 * The server's part of the core's MFA rules: its keys (TOTP secrets sealed under the master key's
 * `secret-encryption` sub-key, recovery codes MACed under `otp-code`), the PNG QR code, and the password
 * and session code not yet on ports, run in the unit of work's transaction.
 */
export function serverMfaDeps(services: Services): MfaHandlerDeps {
  const { uow, clock, random, throttle, config } = services;
  return {
    uow,
    clock,
    random,
    throttle,
    sealer: webCryptoSealer(deriveKey(config.masterKey, 'secret-encryption'), random),
    recoveryCodeKey: deriveKey(config.masterKey, 'otp-code'),
    qrCode: (uri) => toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 }),
    passwordCheck: async (repos, personId) => {
      const password = await entityManagerOf(repos).findOne(PasswordCredential, { person: personId });
      return password && ((plain: string) => verifyPassword(password.hash, plain));
    },
    openSession: async (repos, input) => {
      const tx = entityManagerOf(repos);
      const account = await tx.findOneOrFail(Account, input.accountId);
      const person = await tx.findOneOrFail(Person, input.personId);
      const tenant = await tx.findOneOrFail(Tenant, input.tenantId);
      return openSession(tx, services, { ...input, account, person, tenant });
    },
    stepUpSession: async (repos, input) => {
      const tx = entityManagerOf(repos);
      const session = await tx.findOneOrFail(Session, input.sessionId, {
        lockMode: LockMode.PESSIMISTIC_WRITE,
      });
      session.amr = [...new Set([...session.amr, ...input.amr])];
      session.mfaAt = input.mfaAt;
      const grant = await loadGrant(tx, input.accountId);
      if (!grant?.active) throw new AppError('account_inactive', 'This account has been deactivated');
      const access = await services.accessTokens.issue({
        accountId: grant.accountId,
        personId: grant.personId,
        tenantId: grant.tenantId,
        sessionId: session.id,
        roles: grant.roles,
        groups: grant.groups,
        amr: session.amr,
        mfaAt: input.mfaAt,
        grantVersion: grant.grantVersion,
      });
      return { token: access.token, expiresAt: access.expiresAt, amr: [...session.amr] };
    },
  };
}
