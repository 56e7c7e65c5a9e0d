import { VerifierError } from '../errors';

/** What verification needs from the protected header, after every check on it passed. */
export interface TokenHeader {
  alg: string;
  kid: string;
  /** Where the payload segment starts and the signature segment starts. */
  payloadStart: number;
  signatureStart: number;
}

export interface HeaderRules {
  maxLength: number;
  algorithms: ReadonlySet<string>;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** Parameters that name a key (or where to get one) from inside the token: never honoured, refused. */
const FORBIDDEN = ['jku', 'x5u', 'jwk', 'x5c', 'crit', 'b64'] as const;
/** RFC 9068 `typ`; `application/` may be omitted and media types compare case-insensitively (RFC 7515). */
const ACCESS_TOKEN_TYP = /^(application\/)?at\+jwt$/i;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Base64url (no padding) → JSON object, refusing anything that is not exactly that. */
export function decodeJsonSegment(segment: string, what: string): Record<string, unknown> {
  if (!SEGMENT.test(segment) || segment.length % 4 === 1) {
    throw new VerifierError('malformed', `the ${what} is not base64url`);
  }
  let value: unknown;
  try {
    value = JSON.parse(utf8.decode(Buffer.from(segment, 'base64url')));
  } catch (cause) {
    throw new VerifierError('malformed', `the ${what} is not UTF-8 JSON`, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new VerifierError('malformed', `the ${what} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/**
 * Checks everything about a token that can be checked before any key is looked up: a compact JWS
 * (three base64url segments, no JSON serialization, no JWE) within the size limit, whose protected
 * header is UTF-8 JSON with an allowed `alg`, `typ: at+jwt`, a `kid`, and none of the parameters that
 * would let the token choose its own key. The signature itself is checked next (verify-signature.ts).
 */
export function readHeader(token: unknown, rules: HeaderRules): TokenHeader {
  if (typeof token !== 'string' || token === '')
    throw new VerifierError('malformed', 'the token is not a string');
  if (token.length > rules.maxLength) {
    throw new VerifierError('token_too_large', `the token is longer than ${rules.maxLength} characters`);
  }
  const first = token.indexOf('.');
  const second = first === -1 ? -1 : token.indexOf('.', first + 1);
  if (first === -1 || second === -1 || token.indexOf('.', second + 1) !== -1) {
    throw new VerifierError(
      'malformed',
      token.startsWith('{')
        ? 'only the compact serialization is accepted, not JWS JSON'
        : 'a token has three dot-separated parts',
    );
  }
  const header = decodeJsonSegment(token.slice(0, first), 'header');

  const alg = header.alg;
  if (typeof alg !== 'string' || alg === '')
    throw new VerifierError('malformed', 'alg is missing', { claim: 'alg' });
  if (alg.toLowerCase() === 'none' || !rules.algorithms.has(alg)) {
    throw new VerifierError(
      'disallowed_algorithm',
      `alg ${JSON.stringify(alg.slice(0, 20))} is not allowed`,
      {
        claim: 'alg',
      },
    );
  }
  for (const name of FORBIDDEN) {
    if (Object.hasOwn(header, name)) {
      throw new VerifierError('forbidden_header', `the "${name}" header is not accepted`, { claim: name });
    }
  }
  if (typeof header.typ !== 'string' || !ACCESS_TOKEN_TYP.test(header.typ)) {
    throw new VerifierError('wrong_token_type', 'not an access token (typ must be at+jwt)', { claim: 'typ' });
  }
  const kid = header.kid;
  if (typeof kid !== 'string' || kid === '') {
    throw new VerifierError('unknown_key', 'the token names no key (kid)', { claim: 'kid' });
  }

  // The payload segment is not scanned here: every character of it is signed, so anything changed in it
  // fails the signature.
  if (second === first + 1) throw new VerifierError('malformed', 'the payload is empty');
  const signature = token.slice(second + 1);
  if (signature === '') throw new VerifierError('bad_signature', 'the signature is missing');
  if (!SEGMENT.test(signature) || signature.length % 4 === 1) {
    throw new VerifierError('malformed', 'the signature is not base64url');
  }
  return { alg, kid, payloadStart: first + 1, signatureStart: second + 1 };
}
