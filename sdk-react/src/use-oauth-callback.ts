import {
  type Enforcer,
  EnforcerError,
  type MfaEnrollmentRequiredResult,
  type MfaRequiredResult,
  type OAuthLinked,
  type SignedInResult,
} from '@enforcer/sdk-js';
import { useEffect, useRef, useState } from 'react';
import { useEnforcerContext } from './context';

/**
 * Where the social sign-in callback page is: `pending` until the code is traded (and on the server);
 * `no_code` when the URL carries neither a code nor an error (someone opened the page directly); then the
 * result to switch on, or the refusal (`error.code`: `provider_token_invalid`, `oauth_code_invalid`,
 * `email_in_use`, ...).
 */
export type OAuthCallbackState =
  | { status: 'pending' }
  | { status: 'no_code' }
  | { status: 'signed_in'; result: SignedInResult }
  | { status: 'mfa_required'; result: MfaRequiredResult }
  /** The tenant requires a second factor the person has not set up: `result.enroll()`, then `confirm(code)`. */
  | { status: 'mfa_enrollment_required'; result: MfaEnrollmentRequiredResult }
  | { status: 'linked'; result: OAuthLinked }
  | { status: 'error'; error: EnforcerError };

export interface OAuthCallbackOptions {
  /** The page's URL; default `location.href` (read once, in an effect). */
  url?: string;
  /** How the code is removed from the address bar; default `history.replaceState`. */
  replaceUrl?: (url: string) => void;
}

type Outcome = Exclude<OAuthCallbackState, { status: 'pending' }>;

/**
 * One exchange per client and URL: the code works once, and React runs effects twice in development
 * (Strict Mode) and may mount the page again. Every caller for the same URL shares the first's outcome.
 */
const exchanges = new WeakMap<Enforcer, Map<string, Promise<Outcome>>>();

function complete(client: Enforcer, url: string, replaceUrl?: (url: string) => void): Promise<Outcome> {
  let byUrl = exchanges.get(client);
  if (!byUrl) {
    byUrl = new Map();
    exchanges.set(client, byUrl);
  }
  let outcome = byUrl.get(url);
  if (!outcome) {
    outcome = client
      .completeOAuthSignIn({ url, ...(replaceUrl && { replaceUrl }) })
      .then((result): Outcome => {
        if (result === null) return { status: 'no_code' };
        if (result.status === 'signed_in') return { status: 'signed_in', result };
        if (result.status === 'mfa_required') return { status: 'mfa_required', result };
        if (result.status === 'mfa_enrollment_required') return { status: 'mfa_enrollment_required', result };
        return { status: 'linked', result };
      })
      .catch(
        (error: unknown): Outcome => ({
          status: 'error',
          error:
            error instanceof EnforcerError
              ? error
              : new EnforcerError('network_error', 'The sign-in could not be completed', { cause: error }),
        }),
      );
    byUrl.set(url, outcome);
  }
  return outcome;
}

/**
 * The social sign-in callback page (`redirectTo` of `signInWithOAuth`/`linkOAuth`): reads the one-time
 * `code` (or the flow's `error`) from the URL, clears it from the address bar, trades it once with
 * `completeOAuthSignIn()`, and answers where that stands. A signed-in outcome also updates `useSession()`
 * everywhere; `mfa_required` hands over `result.verify(factor)` as every sign-in does.
 */
export function useOAuthCallback(options: OAuthCallbackOptions = {}): OAuthCallbackState {
  const { client } = useEnforcerContext();
  const [state, setState] = useState<OAuthCallbackState>({ status: 'pending' });
  const { url } = options;
  // The address bar as the page landed on it, read once: the exchange removes the code (or error) from it at
  // once, so Strict Mode's second effect must not read it again (it would find neither, and answer no_code).
  const [landedAt] = useState(() => globalThis.location?.href);
  // Read once with the URL: a new function at each render must not start the exchange again.
  const replaceUrl = useRef(options.replaceUrl);
  replaceUrl.current = options.replaceUrl;
  useEffect(() => {
    if (!client) return;
    const href = url ?? landedAt;
    if (!href) {
      setState({ status: 'no_code' });
      return;
    }
    let live = true;
    void complete(client, href, replaceUrl.current).then((outcome) => {
      if (live) setState(outcome);
    });
    return () => {
      live = false;
    };
  }, [client, url, landedAt]);
  return state;
}
