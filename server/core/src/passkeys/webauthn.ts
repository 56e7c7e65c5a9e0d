import type { AuthenticationResponse, PasskeySettings, RegistrationResponse } from '@enforcer/contract';
import type { TenantRecord } from '../tenants/ports.js';

/** A ceremony's challenge works this long (WebAuthn's `timeout` says the same). */
export const PASSKEY_CHALLENGE_TTL_SECONDS = 300;

/** ES256, EdDSA, RS256: what platform authenticators and security keys use. */
export const SUPPORTED_ALGORITHMS = [-7, -8, -257];

/** The relying party of a tenant: its id, the origins ceremonies may come from, the name shown. */
export interface RelyingParty {
  id: string;
  name: string;
  origins: string[];
}

export const relyingParty = (
  tenant: Pick<TenantRecord, 'name'>,
  settings: PasskeySettings,
): RelyingParty => ({
  id: settings.rp_id,
  name: settings.rp_name ?? tenant.name,
  origins: settings.origins,
});

/** A credential named in options (`excludeCredentials`, `allowCredentials`). */
export interface CredentialDescriptor {
  id: string;
  transports: string[];
}

/** What a verified attestation registers. */
export interface VerifiedRegistration {
  credentialId: string;
  /** COSE public key, base64url. */
  publicKey: string;
  counter: number;
  transports: string[] | undefined;
  deviceType: 'singleDevice' | 'multiDevice';
  backedUp: boolean;
  aaguid: string | null;
}

/** A failed verification's reason, for the audit log (the caller always gets the same refusal). */
export type WebAuthnFailure = { ok: false; reason: string };

/**
 * WebAuthn itself, as a port: building ceremony options and checking a response's signature, origin,
 * relying party id, challenge, user presence and verification. Which credential, whose, the counter and
 * the tenant's relying party are the core's rules (handlers.ts, method.ts). The implementation is
 * `simpleWebAuthnVerifier` (@simplewebauthn/server, WebCrypto: Node and browsers alike).
 */
export interface WebAuthnVerifier {
  registrationOptions(input: {
    rp: RelyingParty;
    user: { id: string; name: string };
    /** base64url. */
    challenge: string;
    exclude: CredentialDescriptor[];
  }): Promise<Record<string, unknown>>;
  authenticationOptions(input: {
    rp: RelyingParty;
    challenge: string;
    allow: CredentialDescriptor[] | undefined;
  }): Promise<Record<string, unknown>>;
  verifyRegistration(input: {
    response: RegistrationResponse;
    rp: RelyingParty;
    /** Is this the challenge the ceremony was given? */
    expectedChallenge: (value: string) => Promise<boolean>;
  }): Promise<({ ok: true } & VerifiedRegistration) | WebAuthnFailure>;
  verifyAuthentication(input: {
    response: AuthenticationResponse;
    rp: RelyingParty;
    expectedChallenge: (value: string) => Promise<boolean>;
    credential: Pick<CredentialDescriptor, 'id' | 'transports'> & { publicKey: string };
  }): Promise<{ ok: true; newCounter: number; backedUp: boolean } | WebAuthnFailure>;
}

/** base64url → bytes. */
export function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
