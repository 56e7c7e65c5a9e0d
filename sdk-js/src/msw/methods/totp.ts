import { base32, base32With } from '@enforcer/core';
import { base64url, randomBytes } from '../crypto';

export { base32, checkTotp, TOTP_PERIOD_SECONDS, type TotpCheck, totpCode } from '@enforcer/core';

/** A 160-bit secret, as the server's (base32). */
export const newTotpSecret = (): string => base32(randomBytes(20));

/** `otpauth://` URI as otplib's generateURI writes it. */
export const otpauthUri = (issuer: string, label: string, secret: string): string =>
  `otpauth://totp/${encodeURIComponent(issuer)}:${encodeURIComponent(label)}?secret=${secret}&period=30&digits=6&algorithm=SHA1&issuer=${encodeURIComponent(issuer)}`;

/** The mock draws no QR code (that needs a PNG encoder): a 1×1 PNG stands in for it. */
export const PLACEHOLDER_QR =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** Crockford base32 lower case (no i, l, o, u), as the server's recovery codes. */
const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** A recovery code `xxxx-xxxx-xxxx-xxxx` (80 random bits). */
export const recoveryCode = (): string => base32With(CROCKFORD, randomBytes(10)).match(/.{4}/g)!.join('-');

/** What people type (the contract removed dashes and lower-cased it): i/l read as 1, o as 0. */
export const normalizeRecoveryCode = (code: string): string =>
  code.replace(/-/g, '').replace(/[il]/g, '1').replace(/o/g, '0');

export const mfaToken = (): string => `emt_${base64url(randomBytes(32))}`;
