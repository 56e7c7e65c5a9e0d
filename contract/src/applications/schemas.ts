import { z } from 'zod';
import { descriptionSchema, idSchema, nameSchema, timestampSchema } from '../common/schemas';
import { actionSchema } from '../policy/schema';

/**
 * A scope of an application: one action of the tenant's policy (`reports.read`). Wildcards are not scopes:
 * an application is given exactly what it needs, and a scope never grows when the policy does.
 */
export const applicationScopeSchema = actionSchema;

/** The scopes of an application: at least one, at most 100, no repeats (repeats are dropped). */
export const applicationScopesSchema = z
  .array(applicationScopeSchema)
  .check(z.minLength(1), z.maxLength(100))
  .transform((scopes) => [...new Set(scopes)]);

/** Members of a JWK that only a private or symmetric key has: a registered key must be public. */
const privateJwkMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/**
 * A public signing key of an application (RFC 7517), for `private_key_jwt` client authentication (RFC 7523
 * §2.2): RSA (2048 bits or more), EC (P-256, P-384, P-521) or OKP (Ed25519). Symmetric keys (`oct`) and
 * private members are refused: Enforcer only ever holds the public half.
 */
export const applicationJwkSchema = z
  .looseObject({
    kty: z.enum(['RSA', 'EC', 'OKP']),
    kid: z.string().min(1).max(200).optional(),
    alg: z
      .enum(['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'])
      .optional(),
    use: z.literal('sig').optional(),
    crv: z.enum(['P-256', 'P-384', 'P-521', 'Ed25519']).optional(),
    n: z.string().max(2048).optional(),
    e: z.string().max(16).optional(),
    x: z.string().max(128).optional(),
    y: z.string().max(128).optional(),
  })
  .refine(
    (jwk) => privateJwkMembers.every((m) => !(m in jwk)),
    'register the public key only (no "d", "k", ...)',
  );
export type ApplicationJwk = z.infer<typeof applicationJwkSchema>;

/** An application's public keys, inline (`{ "keys": [...] }`): one to ten, so that keys can be rolled over. */
export const applicationJwksSchema = z.strictObject({
  keys: z.array(applicationJwkSchema).check(z.minLength(1), z.maxLength(10)),
});
export type ApplicationJwks = z.infer<typeof applicationJwksSchema>;

/**
 * Where a `private_key_jwt` application publishes its public keys (a JWKS document, RFC 7517 §5), instead
 * of registering them inline: https (plain http only to localhost on a development server), no credentials
 * in the URL. Enforcer fetches it (cached, refetched on an unknown `kid`); in production the host must
 * resolve to public addresses only.
 */
export const applicationJwksUriSchema = z
  .url({ protocol: /^https?$/, error: 'must be an https URL' })
  .max(2048);

/**
 * A JWKS document fetched from an application's `jwks_uri`: its `keys` (1 to 20, each as a registered key
 * must be); other members are ignored.
 */
export const remoteJwksDocumentSchema = z.looseObject({
  keys: z.array(applicationJwkSchema).check(z.minLength(1), z.maxLength(20)),
});

/**
 * How an application authenticates at the OAuth endpoints: with its client secret (HTTP Basic, or
 * `client_secret_post`), or with a JWT signed by one of its registered keys (`private_key_jwt`).
 */
export const tokenEndpointAuthMethodSchema = z.enum(['client_secret_basic', 'private_key_jwt']);
export type TokenEndpointAuthMethod = z.infer<typeof tokenEndpointAuthMethodSchema>;

export const createApplicationBodySchema = z
  .strictObject({
    name: nameSchema,
    description: descriptionSchema.optional(),
    /** Actions of the tenant's policy the application may be given, each one the caller holds itself. */
    scopes: applicationScopesSchema,
    /**
     * Public keys instead of a secret: the application then authenticates with `private_key_jwt` (a signed
     * client assertion) and is given no secret at all.
     */
    jwks: applicationJwksSchema.optional(),
    /** Or the URL of its JWKS document (`private_key_jwt` too): keys it rolls over itself. Not with `jwks`. */
    jwks_uri: applicationJwksUriSchema.optional(),
  })
  .refine((b) => !(b.jwks && b.jwks_uri), {
    message: 'send jwks or jwks_uri, not both',
    path: ['jwks_uri'],
  });
export type CreateApplicationBody = z.infer<typeof createApplicationBodySchema>;

export const updateApplicationBodySchema = z
  .strictObject({
    name: nameSchema.optional(),
    description: descriptionSchema.nullable().optional(),
    scopes: applicationScopesSchema.optional(),
    /** A `private_key_jwt` application's new set of keys (replacing the old set, or its `jwks_uri`, at once). */
    jwks: applicationJwksSchema.optional(),
    /** A `private_key_jwt` application's new JWKS URL (replacing its inline keys, or the old URL). */
    jwks_uri: applicationJwksUriSchema.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, 'send at least one of name, description, scopes, jwks, jwks_uri')
  .refine((b) => !(b.jwks && b.jwks_uri), { message: 'send jwks or jwks_uri, not both', path: ['jwks_uri'] });
export type UpdateApplicationBody = z.infer<typeof updateApplicationBodySchema>;

/** A machine client of one tenant, as listed: never its secret, which is stored only as a hash. */
export const applicationSchema = z.object({
  id: idSchema,
  name: z.string(),
  description: z.string().nullable(),
  /** The public identifier the application authenticates with at `POST /oauth/token` (`enfapp_...`). */
  client_id: z.string(),
  /** `client_secret_basic` (a secret, sent as HTTP Basic or in the form) or `private_key_jwt` (keys). */
  token_endpoint_auth_method: tokenEndpointAuthMethodSchema,
  /** The first characters of the current secret, to recognise it (`enfsec_1a2b3c4d`); null with keys. */
  secret_prefix: z.string().nullable(),
  /** The registered public keys of a `private_key_jwt` application; null with a secret or a `jwks_uri`. */
  jwks: applicationJwksSchema.nullable(),
  /** Where a `private_key_jwt` application publishes its keys; null with a secret or inline `jwks`. */
  jwks_uri: z.string().nullable(),
  scopes: z.array(z.string()),
  created_at: timestampSchema,
  updated_at: timestampSchema,
  /** When the credential was last set: creation, `rotate-secret`, or new `jwks`. */
  secret_rotated_at: timestampSchema,
  /** When the application last obtained a token (recorded at most once a minute). */
  last_used_at: timestampSchema.nullable(),
});
export type Application = z.infer<typeof applicationSchema>;

/** `POST /applications/{id}/rotate-secret`: the only time (with creation) `client_secret` is shown. */
export const applicationWithSecretSchema = applicationSchema.extend({ client_secret: z.string() });
export type ApplicationWithSecret = z.infer<typeof applicationWithSecretSchema>;

/** `POST /applications`: with its secret, shown this once; a `private_key_jwt` application has none. */
export const createdApplicationSchema = applicationSchema.extend({ client_secret: z.string().optional() });
export type CreatedApplication = z.infer<typeof createdApplicationSchema>;
