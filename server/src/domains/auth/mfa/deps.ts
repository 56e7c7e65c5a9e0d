import { type MfaHandlerDeps, webCryptoSealer } from '@enforcer/core';
import { LockMode } from '@mikro-orm/postgresql';
import { toDataURL } from 'qrcode';
import { Session } from '../../../entities/sessions.js';
import type { DomainRoutes } from '../../../http/contract-routes.js';
import { deriveKey } from '../../../lib/crypto.js';
import { AppError } from '../../../lib/errors.js';
import { loadGrant } from '../../tokens/load-grant.js';
import { argon2Hasher } from '../methods/password/hashing.js';

/**
 * The server's part of the core's MFA rules: its keys (TOTP secrets sealed under the master key's
 * `secret-encryption` sub-key, recovery codes MACed under `otp-code`), the PNG QR code, argon2id, its
 * sessions, and the step-up code not yet on ports (run in the unit of work's transaction).
 */
export function serverMfaDeps(services: Parameters<DomainRoutes>[1]): MfaHandlerDeps {
  const { uow, clock, random, throttle, config } = services;
  return {
    uow,
    clock,
    random,
    throttle,
    sealer: webCryptoSealer(deriveKey(config.masterKey, 'secret-encryption'), random),
    recoveryCodeKey: deriveKey(config.masterKey, 'otp-code'),
    qrCode: (uri) => toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 }),
    hasher: argon2Hasher,
    sessions: services.authSessions,
    stepUpSession: async (repos, input) => {
      const tx = services.uow.entityManagerOf(repos);
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
