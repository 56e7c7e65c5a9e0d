// The conformance scenarios' format: a scenario is data (steps and what each must answer), the
// runner (runner.ts) gives it meaning against each target. Nothing here runs; a new file in
// scenarios/ exporting `scenarios: Scenario[]` runs against the mock and the real server by itself.
//
// Values. Anywhere a value is taken (bodies, tokens, arguments, `let`, expectations):
// - `'{{name.path[0].x}}'` reads a saved value; a string that is only a placeholder gives the value
//   itself (an object, a number), one inside a longer string gives its text;
// - an object with one `$`-key is a value the runner makes (see `Make`), e.g. `{ $email: 'owner' }`.
// Expectations compare like vitest's toMatchObject (objects partially, arrays whole, element by
// element); an object with a `$`-key there is a check (see `Check`). Every leaf compared is one assertion.

/** JSON-like data, with placeholders, `Make` values and (in expectations) `Check`s anywhere inside. */
export type Data =
  | string
  | number
  | boolean
  | null
  | undefined
  | readonly Data[]
  | { readonly [key: string]: Data };

/** Values the runner makes (each an object with exactly this one key, plus its options). */
export type Make =
  /** A fresh address `<prefix>-<unique>@example.com`. */
  | { $email: string }
  /** A fresh name `<prefix>-<unique>`. */
  | { $unique: string }
  /** `<prefix>` and seven random digits: a phone number nobody has. */
  | { $phone: string }
  /** `n` random bytes as hex. */
  | { $hex: number }
  /** A random Google subject (16 digits). */
  | { $googleSub: true }
  /** A six-digit code that is not this one. */
  | { $otherCode: Data }
  /** `$slice.slice(start, end)` of a string. */
  | { $slice: Data; start?: number; end?: number }
  /** The (unverified) claims of a JWT. */
  | { $claims: Data }
  /** The first element of the array `$find` that matches `where` (as an expectation would). */
  | { $find: Data; where: Data }
  | { $upper: Data }
  | { $lower: Data }
  /** The target's clock, in whole seconds, plus `offset`. */
  | { $nowSeconds: number }
  /** A copy of `$with` with items appended to arrays (`append`) and values set (`set`), by dotted path. */
  | { $with: Data; append?: Record<string, Data[]>; set?: Record<string, Data> }
  /** The TOTP code of this secret at the target's now (plus `offset` seconds). */
  | { $totp: Data; offset?: number }
  /** A Google ID token signed by the Google the target trusts: `{ token, nonce }` (claims override). */
  | { $googleProof: Record<string, Data> }
  /** A JWT with its signature's last bytes replaced. */
  | { $tamperSignature: Data }
  /** A fresh public key of this algorithm, as SPKI PEM. */
  | { $publicKey: 'ES384' | 'RS256' }
  /** A Privy access token from a `privyApp` (claims override; `ttl` seconds, default 3600). */
  | { $privyToken: Data; claims: Record<string, Data>; ttl?: number }
  /** `authenticator.create(options)` of a `passkeyAuthenticator`: `{ response, credential }`. */
  | { $passkeyCreate: Data; options: Data }
  /** `authenticator.get(options, overrides)`: the assertion (`counter`, `credential`, `origin`, `rpId`, `noUserVerification`). */
  | { $passkeyGet: Data; options: Data; overrides?: Data };

/** Checks, for expectations (each an object with this `$`-key). */
export type Check =
  | { $match: string }
  | { $type: 'string' | 'number' | 'boolean' | 'object' }
  | { $not: Data }
  | { $absent: true }
  | { $emptyOrAbsent: true }
  | { $length: number }
  /** The object's keys, sorted, are exactly these / those of another object. */
  | { $keys: string[] }
  | { $sameKeys: Data }
  /** Deep equality (toEqual), no partial match. */
  | { $exactly: Data }
  /** Some element matches / no element matches. */
  | { $some: Data }
  | { $none: Data }
  | { $last: Data }
  /** The array mapped to each element's `$pluck` field matches `is`. */
  | { $pluck: string; is: Data }
  | { $oneOf: Data[] }
  | { $gt: Data }
  /** The JSON text of the value does not contain this string. */
  | { $notContaining: Data }
  /** A JWT whose (unverified) claims match. */
  | { $jwt: Data }
  /** An ISO date this many milliseconds after the target's now (or within `{min, max}`). */
  | { $msFromNow: number | { min: number; max: number } }
  /** An ISO date equal to the target's now, in whole seconds. */
  | { $nowDate: true }
  /** base64url text decoding to this many bytes / to this text. */
  | { $base64urlBytes: number }
  | { $base64urlText: Data };

/** What an HTTP answer must be. `problem` also checks the problem+json content type and `status` field. */
export interface ExpectAnswer {
  status?: number | Check;
  problem?: string;
  body?: Data;
  headers?: Record<string, Data>;
}

/** One request to the API (paths are relative to /api/v1/enforcer). Saved as `{ status, headers, body }`. */
export interface RequestStep {
  request: `${'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'} ${string}`;
  body?: Data;
  /** Sent as is instead of a JSON body (with `contentType`, default application/json). */
  raw?: string;
  contentType?: string;
  /** Credentials: a bearer token, an API key. */
  token?: Data;
  apiKey?: Data;
  headers?: Record<string, Data>;
  expect?: ExpectAnswer;
  save?: string;
}

/** A browser SDK (`createEnforcer`) on the target, under a name, destroyed after the scenario. */
export interface ClientStep {
  client: string;
  /** `permissions: false` as createEnforcer takes it. */
  permissions?: false;
  /** Its own in-memory storage (a second browser), not the shared default. */
  memoryStorage?: true;
  /** Its clock stands still at the target's now (it cannot see expiry coming). */
  frozenClock?: true;
}

/** A method of an SDK client, by dotted path (`'a.tenants.join'`, `'a.api.auth.me'`). */
export interface CallStep {
  call: string;
  args?: Data[];
  /** What it resolves to, or (`rejects`) the EnforcerError it throws. */
  expect?: Data;
  rejects?: Data;
  save?: string;
}

/** The same step `parallel` times at once; each answer is checked. */
export interface ParallelStep {
  parallel: number;
  step: RequestStep | CallStep;
}

/** Runs `steps` once per item (`each`, saved as `as`) or `repeat` times (`as` = 1, 2, …). */
export interface LoopStep {
  each?: Data[];
  repeat?: number;
  as?: string;
  steps: Steps;
}

export type Step =
  | RequestStep
  | ClientStep
  | CallStep
  | ParallelStep
  | LoopStep
  /** Saves values (each resolved in order, so later ones may use earlier ones). */
  | { let: Record<string, Data> }
  /** Checks a value (as an expectation does). */
  | { check: Data; is: Data }
  /** Moves the shared clock forward: seconds, or `{ retryAfterOf: '{{answer}}' }` (its Retry-After if it is a 429). */
  | { advanceClock: number | { retryAfterOf: Data } }
  /** Waits until the client's permissions are ready (they load in the background). */
  | { permissionsReady: string }
  /** Keeps, under `save`, every value of the client's snapshot at `field` (dotted) seen by its listener. */
  | { watch: string; field: string; save: string }
  /** A software WebAuthn authenticator for `origin`, saved as `save`. */
  | { passkeyAuthenticator: string; save: string }
  /** An Ethereum wallet (a fresh private key), saved as `save` (`{{w.address}}`). */
  | { wallet: string }
  /** A Privy app made here (a P-256 key; `appId` default fresh): `{ appId, settings }` saved as `privyApp`. */
  | { privyApp: string; appId?: Data }
  /**
   * A Sign-In with Ethereum proof: asks the target for a nonce for the tenant code `siwe`, builds the
   * message for the SIWE settings of scenarios/_steps.ts, signs it with `wallet` (made if new, fresh if
   * absent). Saves `{ message, signature, address }`.
   * `overrides`: domain, uri, chainId; expiresIn, notBeforeIn, issuedIn (seconds from now).
   */
  | { siwe: Data; wallet?: string; overrides?: Data; save: string }
  /** `wallet`'s signature of `message`. */
  | { sign: Data; wallet: string; save: string }
  /**
   * Verifies an access token against a JWKS answer (`jwks`) and issuer: header, claim names, claims,
   * lifetime (exp − iat) in seconds.
   */
  | {
      accessToken: Data;
      jwks: Data;
      issuer: Data;
      header?: Data;
      claimNames?: string[];
      claims?: Data;
      lifetime?: number;
    };

/** Steps may nest in arrays (what the helpers in scenarios/_steps.ts return); the runner flattens them. */
export type Steps = readonly (Step | Steps)[];

export interface Scenario {
  /** What it shows, as the test's name. */
  name: string;
  steps: Steps;
}
