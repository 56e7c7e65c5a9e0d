import type { MagicLinkRequestBody, MagicLinkRequestResponse } from '@enforcer/contract';
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../../../../lib/errors.js';
import { recordAudit } from '../../../audit/record-audit.js';
import { type AuthRequestContext, tenantByCode } from '../../context.js';
import { MAGIC_LINK_TTL_SECONDS } from './magic-links.js';
import { magicLinkMessage } from './messages.js';
import { redirectUrlsOf } from './redirect-urls.js';

/** `https://app.example/sign-in?tenant=x` + token → `https://app.example/sign-in?tenant=x&token=...`. */
const withToken = (redirectUrl: string, token: string) => {
  const url = new URL(redirectUrl);
  url.searchParams.set('token', token);
  return url.toString();
};

/**
 * A magic-link request (`POST /auth/magic-link/request`): mails a link to one of the tenant's registered redirect URLs with the
 * token appended. Issued and mailed for every well-formed email (a new person may sign up with it), so
 * the answer does not depend on whether the email belongs to anyone. Development and test servers also
 * answer the token and the link; production never does.
 */
export async function requestMagicLink(
  { services, em, client }: AuthRequestContext,
  body: MagicLinkRequestBody,
  log: Pick<FastifyBaseLogger, 'error'>,
): Promise<MagicLinkRequestResponse> {
  const tenant = await tenantByCode(em, body.tenant_code);
  if (!tenant.authProviders.includes('magic_link')) {
    throw new AppError('provider_not_allowed', 'This tenant does not accept magic links');
  }
  const allowed = await redirectUrlsOf(em, tenant.id);
  if (allowed.length === 0) {
    throw new AppError(
      'bad_request',
      'This tenant has no magic-link redirect URL: an admin sets one with PUT /tenants/{id}/magic-link',
    );
  }
  const redirectUrl = body.redirect_url ?? allowed[0]!;
  if (!allowed.includes(redirectUrl)) {
    const message = "not one of the tenant's magic-link redirect URLs";
    throw new AppError('validation_failed', `redirect_url is ${message}`, {
      errors: [{ path: 'body.redirect_url', message }],
    });
  }

  const issued = await em.transactional(async (tx) => {
    const result = await services.magicLinks.issue(tx, { email: body.email, tenantId: tenant.id });
    recordAudit(tx, services.clock, {
      action: 'auth.magic_link.requested',
      actor: { type: 'anonymous' },
      tenantId: tenant.id,
      target: { type: 'magic_link', id: result.id },
      ...client,
      details: { email: body.email },
    });
    return result;
  });
  const link = withToken(redirectUrl, issued.token);
  try {
    await services.mail.send(
      magicLinkMessage({ to: body.email, link, tenant, ttlSeconds: MAGIC_LINK_TTL_SECONDS }),
    );
  } catch (error) {
    log.error({ err: error }, 'magic link: mail delivery failed');
    throw new AppError('unavailable', 'The link could not be sent; try again shortly');
  }
  return {
    sent: true,
    channel: 'email',
    expires_at: issued.expiresAt.toISOString(),
    ...(services.exposeOtpCodes ? { token: issued.token, link } : {}),
  };
}
