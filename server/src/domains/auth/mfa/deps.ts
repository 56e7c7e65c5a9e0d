import { type MfaHandlerDeps, webCryptoSealer } from '@enforcer/core';
import { toDataURL } from 'qrcode';
import type { DomainRoutes } from '../../../http/contract-routes.js';
import { deriveKey } from '../../../lib/crypto.js';

/**
 * The server's part of the core's MFA rules: its keys (TOTP secrets sealed under the master key's
 * `secret-encryption` sub-key, recovery codes MACed under `otp-code`), the PNG QR code, its password hasher (argon2id) and its
 * sessions (the core's `SessionTokens`).
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
    hasher: services.passwordHasher,
    sessions: services.authSessions,
  };
}
