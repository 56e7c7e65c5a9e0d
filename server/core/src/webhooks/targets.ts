import { AppError } from '../errors.js';

/**
 * Which URLs an endpoint may have. The scheme rule is the core's; whether a host resolves to a public
 * address is the server's (DNS), checked again at every delivery.
 */
export interface WebhookTargetRules {
  /** Plain http to `localhost`, `127.0.0.1` or `[::1]` (a development or test server). */
  allowLocalHttp: boolean;
  /** Throws `webhook_url_refused` when the host resolves to an address Enforcer must not call (production). */
  checkHost?: (url: URL) => Promise<void>;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export const webhookUrlRefused = (detail: string) =>
  new AppError('webhook_url_refused', detail, { errors: [{ path: 'body.url', message: detail }] });

/**
 * Checks a URL Enforcer will call (a webhook endpoint, an application's `jwks_uri`): https (http to
 * localhost only when allowed), no credentials, a public host; `refuse` makes the error for each reason.
 * Returns the parsed URL.
 */
export async function assertOutboundTarget(
  rules: WebhookTargetRules,
  raw: string,
  refuse: (detail: string) => AppError,
): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('not a URL');
  }
  if (url.username || url.password) throw refuse('the URL carries no credentials');
  if (url.protocol === 'http:') {
    if (!rules.allowLocalHttp || !LOCAL_HOSTS.has(url.hostname)) {
      throw refuse('the URL must be https (http only to localhost on a development server)');
    }
    return url;
  }
  if (url.protocol !== 'https:') throw refuse('the URL must be https');
  await rules.checkHost?.(url);
  return url;
}

/** Checks an endpoint URL: https (http to localhost only when allowed), no credentials, a public host. */
export async function assertWebhookTarget(rules: WebhookTargetRules, raw: string): Promise<void> {
  await assertOutboundTarget(rules, raw, webhookUrlRefused);
}
