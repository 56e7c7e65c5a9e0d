import { z } from 'zod';
import { emailSchema, idSchema, nameSchema, tenantCodeSchema, timestampSchema } from '../common/schemas';

/**
 * Passkeys (WebAuthn). The JSON shapes are the WebAuthn Level 3 `toJSON()` forms that
 * `@simplewebauthn/browser`'s `startRegistration()` / `startAuthentication()` return and take:
 * binary values are base64url strings.
 */
const base64url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, 'base64url');

const transportSchema = z.enum(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

/** What `navigator.credentials.create()` produced (`RegistrationResponseJSON`). */
export const registrationResponseSchema = z.object({
  id: base64url(1024),
  rawId: base64url(1024),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url(4096),
    attestationObject: base64url(16_384),
    authenticatorData: base64url(8192).optional(),
    transports: z.array(transportSchema).max(8).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: base64url(2048).optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
});
export type RegistrationResponse = z.infer<typeof registrationResponseSchema>;

/** What `navigator.credentials.get()` produced (`AuthenticationResponseJSON`). */
export const authenticationResponseSchema = z.object({
  id: base64url(1024),
  rawId: base64url(1024),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: base64url(4096),
    authenticatorData: base64url(8192),
    signature: base64url(1024),
    userHandle: base64url(256).optional(),
  }),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.record(z.string(), z.unknown()).default({}),
});
export type AuthenticationResponse = z.infer<typeof authenticationResponseSchema>;

const credentialDescriptorSchema = z.object({
  id: z.string(),
  type: z.string(),
  transports: z.array(z.string()).optional(),
});

/** `PublicKeyCredentialCreationOptionsJSON`: pass it to `startRegistration({ optionsJSON })`. */
export const registrationOptionsSchema = z.looseObject({
  challenge: z.string(),
  rp: z.object({ id: z.string().optional(), name: z.string() }),
  user: z.object({ id: z.string(), name: z.string(), displayName: z.string() }),
  pubKeyCredParams: z.array(z.object({ type: z.string(), alg: z.number() })),
  timeout: z.number().optional(),
  excludeCredentials: z.array(credentialDescriptorSchema).optional(),
  authenticatorSelection: z
    .object({
      authenticatorAttachment: z.string().optional(),
      residentKey: z.string().optional(),
      requireResidentKey: z.boolean().optional(),
      userVerification: z.string().optional(),
    })
    .optional(),
  attestation: z.string().optional(),
});

/** `PublicKeyCredentialRequestOptionsJSON`: pass it to `startAuthentication({ optionsJSON })`. */
export const authenticationOptionsSchema = z.looseObject({
  challenge: z.string(),
  rpId: z.string().optional(),
  timeout: z.number().optional(),
  allowCredentials: z.array(credentialDescriptorSchema).optional(),
  userVerification: z.string().optional(),
});

/** `POST /auth/passkey/register/begin` (signed in): a passkey for the signed-in person. */
export const passkeyRegisterBeginBodySchema = z.strictObject({
  /** A label for the passkey in lists ("MacBook", "YubiKey"); can be set at finish too. */
  name: nameSchema.optional(),
});
export type PasskeyRegisterBeginBody = z.infer<typeof passkeyRegisterBeginBodySchema>;

export const passkeyRegisterBeginResponseSchema = z.object({
  /** Send it back to `/finish`. The challenge works once, for a few minutes. */
  challenge_id: idSchema,
  options: registrationOptionsSchema,
  expires_at: timestampSchema,
});
export type PasskeyRegisterBeginResponse = z.infer<typeof passkeyRegisterBeginResponseSchema>;

export const passkeyRegisterFinishBodySchema = z.strictObject({
  challenge_id: idSchema,
  credential: registrationResponseSchema,
  name: nameSchema.optional(),
});
export type PasskeyRegisterFinishBody = z.infer<typeof passkeyRegisterFinishBodySchema>;

/**
 * `POST /auth/passkey/login/begin`. Without `email`: a discoverable-credential ceremony (the
 * authenticator offers its passkeys for the tenant's relying party). With `email`: the
 * person's passkeys are listed in `allowCredentials` (an unknown email gets a list of the same
 * shape, so the answer does not tell whether the email is registered).
 */
export const passkeyLoginBeginBodySchema = z.strictObject({
  tenant_code: tenantCodeSchema,
  email: emailSchema.optional(),
});
export type PasskeyLoginBeginBody = z.infer<typeof passkeyLoginBeginBodySchema>;

export const passkeyLoginBeginResponseSchema = z.object({
  challenge_id: idSchema,
  options: authenticationOptionsSchema,
  expires_at: timestampSchema,
});
export type PasskeyLoginBeginResponse = z.infer<typeof passkeyLoginBeginResponseSchema>;

/** `POST /auth/passkey/login/finish`: the same as `POST /auth/login` with `provider: 'passkey'`. */
export const passkeyLoginFinishBodySchema = z.strictObject({
  tenant_code: tenantCodeSchema,
  challenge_id: idSchema,
  credential: authenticationResponseSchema,
});
export type PasskeyLoginFinishBody = z.infer<typeof passkeyLoginFinishBodySchema>;

/** `POST /auth/login` with a passkey assertion (challenge from `POST /auth/passkey/login/begin`). */
export const passkeyLoginBodySchema = passkeyLoginFinishBodySchema.extend({
  provider: z.literal('passkey'),
});
export type PasskeyLoginBody = z.infer<typeof passkeyLoginBodySchema>;

/** A registered passkey (never its public key). */
export const passkeyCredentialSchema = z.object({
  id: idSchema,
  /** The WebAuthn credential id (base64url). */
  credential_id: z.string(),
  name: z.string().nullable(),
  /** The relying party id it is bound to. */
  rp_id: z.string(),
  /** `multiDevice` (synced passkey) or `singleDevice` (a security key, a device-bound key). */
  device_type: z.enum(['singleDevice', 'multiDevice']),
  backed_up: z.boolean(),
  transports: z.array(z.string()),
  created_at: timestampSchema,
  last_used_at: timestampSchema.nullable(),
});
export type PasskeyCredential = z.infer<typeof passkeyCredentialSchema>;
