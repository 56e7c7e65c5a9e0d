import type { SecretSealer } from '../mfa/sealer.js';
import type { RandomSource } from '../platform.js';

/** Standard Webhooks secrets: `whsec_` + base64 of random bytes (24..64 allowed; Enforcer makes 32). */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;

/** How long the secret before a rotation keeps signing beside the new one. */
export const PREVIOUS_SECRET_SECONDS = 24 * 60 * 60;

const base64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));

export const newWebhookSecret = (random: RandomSource): string =>
  `${WEBHOOK_SECRET_PREFIX}${base64(random.bytes(SECRET_BYTES))}`;

/** The key bytes a `whsec_` secret stands for (what HMAC-SHA256 is keyed with). */
export function webhookSecretBytes(secret: string): Uint8Array {
  const text = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret;
  return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
}

/** The associated data that binds a sealed secret to its endpoint (a value copied to another row does not open). */
const sealedFor = (endpointId: string) => `webhook_endpoint:${endpointId}`;

export const sealWebhookSecret = (sealer: SecretSealer, endpointId: string, secret: string) =>
  sealer.seal(secret, sealedFor(endpointId));

export const openWebhookSecret = (sealer: SecretSealer, endpointId: string, sealed: string) =>
  sealer.open(sealed, sealedFor(endpointId));

/**
 * The secrets an endpoint signs with now: the current one, and the previous one until it expires (the
 * `webhook-signature` header carries one signature per secret, space-separated).
 */
export async function signingSecrets(
  sealer: SecretSealer,
  endpoint: {
    id: string;
    secretSealed: string;
    previousSecretSealed: string | null;
    previousSecretExpiresAt: Date | null;
  },
  now: Date,
): Promise<string[]> {
  const secrets = [await openWebhookSecret(sealer, endpoint.id, endpoint.secretSealed)];
  if (
    endpoint.previousSecretSealed &&
    endpoint.previousSecretExpiresAt &&
    endpoint.previousSecretExpiresAt.getTime() > now.getTime()
  ) {
    secrets.push(await openWebhookSecret(sealer, endpoint.id, endpoint.previousSecretSealed));
  }
  return secrets;
}
