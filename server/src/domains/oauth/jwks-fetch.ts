import {
  assertOutboundTarget,
  type JwksFetcher,
  JwksUnavailable,
  jwksUriRefused,
  REMOTE_JWKS_MAX_BYTES,
  REMOTE_JWKS_TIMEOUT_MS,
  type WebhookTargetRules,
} from '@enforcer/core';
import { pinnedRequest } from '../webhooks/send.js';
import { type HostResolver, isPublicAddress, resolvePublicTarget, systemResolver } from '../webhooks/ssrf.js';

/**
 * Which `jwks_uri`s an application may register: the rules of every URL Enforcer calls (webhooks' too):
 * plain http to localhost outside production; in production https to a host that resolves to public
 * addresses only (`400 validation_failed` on `body.jwks_uri` otherwise).
 */
export const jwksUriRules = (
  production: boolean,
  resolve: HostResolver = systemResolver,
): WebhookTargetRules =>
  production
    ? {
        allowLocalHttp: false,
        checkHost: async (url) =>
          void (await resolvePublicTarget(url, resolve, isPublicAddress, jwksUriRefused)),
      }
    : { allowLocalHttp: true };

/**
 * The server's JWKS fetch for `private_key_jwt` applications' `jwks_uri` (the core's `RemoteJwksCache`
 * calls it), safe against server-side request forgery as webhook deliveries are: the URL's rules are
 * checked again at every fetch (a development URL stops working in production); in production the host is
 * resolved at every fetch, every address must be public (no private, loopback, link-local or metadata
 * address), and the connection goes to the address checked (`pinnedRequest`: no second lookup a DNS
 * rebinding could change). A `GET` with no redirects, `timeoutMs` for the whole attempt, at most
 * `maxBytes` of body, a 200 of JSON only; anything else is `JwksUnavailable`.
 */
export function jwksFetcher(options: {
  production: boolean;
  resolve?: HostResolver;
  timeoutMs?: number;
  maxBytes?: number;
}): JwksFetcher {
  const resolve = options.resolve ?? systemResolver;
  const rules: WebhookTargetRules = { allowLocalHttp: !options.production };
  return async (url) => {
    let address = null;
    try {
      await assertOutboundTarget(rules, url.href, jwksUriRefused);
      if (options.production)
        address = await resolvePublicTarget(url, resolve, isPublicAddress, jwksUriRefused);
    } catch (error) {
      throw new JwksUnavailable(error instanceof Error ? error.message : String(error));
    }
    const outcome = await pinnedRequest({
      method: 'GET',
      url,
      address,
      headers: {
        accept: 'application/jwk-set+json, application/json',
        'user-agent': 'Enforcer-JWKS/1',
      },
      timeoutMs: options.timeoutMs ?? REMOTE_JWKS_TIMEOUT_MS,
      maxBodyBytes: options.maxBytes ?? REMOTE_JWKS_MAX_BYTES,
      overflow: 'fail',
    });
    if (outcome.kind === 'error') throw new JwksUnavailable(outcome.message);
    if (outcome.status !== 200) throw new JwksUnavailable(`the JWKS URL answered ${outcome.status}`);
    try {
      return JSON.parse(outcome.body) as unknown;
    } catch {
      throw new JwksUnavailable('the JWKS URL answered something other than JSON');
    }
  };
}
