import { GITHUB_ISSUER } from '@enforcer/contract';
import { type ProofResult, refuseProof } from '../methods/result.js';
import type { OidcClaims } from './claims.js';

/** GitHub's web (authorization and token endpoints) and API origins. */
export interface GitHubEndpoints {
  /** `https://github.com` */
  web: string;
  /** `https://api.github.com` */
  api: string;
}

export const GITHUB_ENDPOINTS: GitHubEndpoints = { web: 'https://github.com', api: 'https://api.github.com' };

/** Always asked: the verified primary email is read from `GET /user/emails`, which needs it. */
export const GITHUB_EMAIL_SCOPE = 'user:email';
export const GITHUB_DEFAULT_SCOPES = ['read:user', GITHUB_EMAIL_SCOPE];

/** The headers GitHub's REST API expects (it refuses requests without a User-Agent). */
export const githubApiHeaders = () =>
  new Headers({
    accept: 'application/vnd.github+json',
    'x-github-api-version': '2022-11-28',
    'user-agent': 'enforcer-social-sign-in',
  });

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The identity GitHub proves: `GET /user`'s numeric `id` (stable; the login can be renamed) and the
 * primary email of `GET /user/emails` when GitHub marks it verified. GitHub is not an OpenID Provider, so
 * there is no ID token to read `email_verified` from: without a verified primary email the sign-in is
 * refused (`403 provider_email_unverified`), never continued with an email nobody proved. A verified
 * secondary email is not taken in its place: the primary is the one the person chose at GitHub.
 */
export function githubIdentity(user: unknown, emails: unknown): ProofResult<OidcClaims> {
  if (!isRecord(user) || typeof user.id !== 'number' || !Number.isSafeInteger(user.id) || user.id <= 0) {
    return refuseProof('provider_token_invalid', 'malformed_user', "GitHub's user has no usable id");
  }
  if (!Array.isArray(emails)) {
    return refuseProof('provider_token_invalid', 'malformed_emails', "GitHub's email list is not a list");
  }
  const primary = emails.find((entry) => isRecord(entry) && entry.primary === true);
  if (!isRecord(primary) || primary.verified !== true || typeof primary.email !== 'string') {
    return refuseProof(
      'provider_email_unverified',
      'no_verified_primary_email',
      'Your GitHub account has no verified primary email: verify it at GitHub, then sign in again',
    );
  }
  const email = primary.email.toLowerCase();
  if (email.length > 254 || !/^[^\s@]+@[^\s@]+$/.test(email)) {
    return refuseProof(
      'provider_token_invalid',
      'malformed_email',
      "GitHub's primary email is not an address",
    );
  }
  return {
    ok: true,
    value: { issuer: GITHUB_ISSUER, sub: String(user.id), email, emailVerified: true },
  };
}
