// A software WebAuthn authenticator for tests, with node:crypto only: ES256 credentials, attestation
// `none`, assertions with a signature counter. It builds what a browser's navigator.credentials
// create()/get() would hand to @simplewebauthn/browser, in the same JSON form.
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';

const b64u = (bytes: Uint8Array | Buffer) => Buffer.from(bytes).toString('base64url');
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();

// --- a minimal CBOR encoder (RFC 8949): what attestation objects and COSE keys need ----------------

type Cbor = number | string | Uint8Array | Cbor[] | Map<number | string, Cbor>;

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

export function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return Buffer.concat([head(3, bytes.length), bytes]);
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), Buffer.from(value)]);
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(cbor)]);
  return Buffer.concat([head(5, value.size), ...[...value].flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

// --- the authenticator -------------------------------------------------------------------------

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

export interface SoftCredential {
  id: Buffer;
  rpId: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  userHandle: Buffer;
  counter: number;
}

export interface CeremonyOverrides {
  /** The origin the "browser" reports (default: the authenticator's). */
  origin?: string;
  /** The relying party id hashed into authenticator data (default: the options' rp id). */
  rpId?: string;
  /** Sign this challenge instead of the options'. */
  challenge?: string;
  /** Clear the user-verified flag. */
  noUserVerification?: boolean;
}

export interface CreateOverrides extends CeremonyOverrides {
  /** Attest this existing credential again (same id and key) instead of making a new one. */
  reuse?: SoftCredential;
}

/**
 * Holds ES256 credentials like a platform authenticator. `counting: false` behaves like synced passkeys
 * (the counter stays 0); otherwise each assertion increments it.
 */
export class SoftAuthenticator {
  readonly credentials: SoftCredential[] = [];
  readonly origin: string;
  readonly counting: boolean;

  constructor(options: { origin: string; counting?: boolean }) {
    this.origin = options.origin;
    this.counting = options.counting ?? true;
  }

  /** `navigator.credentials.create()` for PublicKeyCredentialCreationOptionsJSON. */
  create(
    // biome-ignore lint/suspicious/noExplicitAny: options JSON as the server sent it
    options: any,
    overrides: CreateOverrides = {},
  ) {
    const rpId: string = overrides.rpId ?? options.rp.id;
    const { privateKey, publicKey } = overrides.reuse ?? generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const credential: SoftCredential = overrides.reuse ?? {
      id: randomBytes(32),
      rpId,
      privateKey,
      publicKey,
      userHandle: Buffer.from(options.user.id, 'base64url'),
      counter: 0,
    };
    const jwk = publicKey.export({ format: 'jwk' });
    const coseKey = cbor(
      new Map<number, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x!, 'base64url')],
        [-3, Buffer.from(jwk.y!, 'base64url')],
      ]),
    );
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(credential.id.length);
    const flags =
      FLAG_UP |
      (overrides.noUserVerification ? 0 : FLAG_UV) |
      FLAG_AT |
      (this.counting ? 0 : FLAG_BE | FLAG_BS);
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([flags]),
      Buffer.alloc(4),
      Buffer.alloc(16),
      idLength,
      credential.id,
      coseKey,
    ]);
    const clientDataJSON = Buffer.from(
      JSON.stringify({
        type: 'webauthn.create',
        challenge: overrides.challenge ?? options.challenge,
        origin: overrides.origin ?? this.origin,
        crossOrigin: false,
      }),
    );
    const attestationObject = cbor(
      new Map<string, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    );
    if (!overrides.reuse) this.credentials.push(credential);
    return {
      credential,
      response: {
        id: b64u(credential.id),
        rawId: b64u(credential.id),
        type: 'public-key' as const,
        response: {
          clientDataJSON: b64u(clientDataJSON),
          attestationObject: b64u(attestationObject),
          transports: ['internal', 'hybrid'],
        },
        authenticatorAttachment: 'platform' as const,
        clientExtensionResults: {},
      },
    };
  }

  /**
   * `navigator.credentials.get()` for PublicKeyCredentialRequestOptionsJSON: uses a credential the
   * options allow (or, with none listed, a discoverable one for the rp id), or `credential` if given.
   */
  get(
    // biome-ignore lint/suspicious/noExplicitAny: options JSON as the server sent it
    options: any,
    overrides: CeremonyOverrides & { credential?: SoftCredential; counter?: number } = {},
  ) {
    const rpId: string = overrides.rpId ?? options.rpId;
    const allowed: string[] = (options.allowCredentials ?? []).map((c: { id: string }) => c.id);
    const credential =
      overrides.credential ??
      this.credentials.find((c) => (allowed.length ? allowed.includes(b64u(c.id)) : c.rpId === options.rpId));
    if (!credential) throw new Error('the soft authenticator holds no credential for these options');
    if (overrides.counter !== undefined) credential.counter = overrides.counter;
    else if (this.counting) credential.counter += 1;
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(credential.counter);
    const flags =
      FLAG_UP | (overrides.noUserVerification ? 0 : FLAG_UV) | (this.counting ? 0 : FLAG_BE | FLAG_BS);
    const authData = Buffer.concat([sha256(rpId), Buffer.from([flags]), counter]);
    const clientDataJSON = Buffer.from(
      JSON.stringify({
        type: 'webauthn.get',
        challenge: overrides.challenge ?? options.challenge,
        origin: overrides.origin ?? this.origin,
        crossOrigin: false,
      }),
    );
    const signature = sign(
      'sha256',
      Buffer.concat([authData, sha256(clientDataJSON)]),
      credential.privateKey,
    );
    return {
      id: b64u(credential.id),
      rawId: b64u(credential.id),
      type: 'public-key' as const,
      response: {
        clientDataJSON: b64u(clientDataJSON),
        authenticatorData: b64u(authData),
        signature: b64u(signature),
        userHandle: b64u(credential.userHandle),
      },
      authenticatorAttachment: 'platform' as const,
      clientExtensionResults: {},
    };
  }
}
