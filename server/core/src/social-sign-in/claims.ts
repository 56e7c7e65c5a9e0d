/** What a provider proved at the callback that sign-in uses (from a validated ID token, or GitHub's API). */
export interface OidcClaims {
  /** The issuer the subject is qualified by (`https://github.com` for GitHub). */
  issuer: string;
  sub: string;
  email?: string;
  emailVerified: boolean;
}
