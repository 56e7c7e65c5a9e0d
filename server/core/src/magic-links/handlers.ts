import type { contract } from '@enforcer/contract';
import { callerOf, type Handlers } from '../api/handlers.js';
import { auditActorOf } from '../caller.js';
import { AppError } from '../errors.js';
import { type MessageOutboxDeps, queueMail } from '../messaging/outbox.js';
import type { MailDelivery } from '../platform.js';
import type { Repositories, UnitOfWork } from '../store.js';
import { countSend } from '../throttle/send-limits.js';
import { issueMagicLink, MAGIC_LINK_TTL_SECONDS, type MagicLinkDeps } from './links.js';
import { magicLinkMessage } from './messages.js';

export interface MagicLinkHandlersDeps extends MagicLinkDeps {
  mail: Pick<MailDelivery, 'send'>;
  /**
   * The mail outbox (the server's): the link's mail is queued in the unit of work that issues it, with the
   * tenant's template and sender, and delivered by the worker; without it (the mock), `mail` sends it.
   */
  outbox?: MessageOutboxDeps;
  /** Development and test: the token and the link in the answer; production never. */
  exposeTokens: boolean;
  /** Told of a mail delivery failure (the server logs it); the caller gets `503 unavailable`. */
  onDeliveryFailure?: (error: unknown) => void;
}

/** `https://app.example/sign-in?tenant=x` + token → `https://app.example/sign-in?tenant=x&token=...`. */
const withToken = (redirectUrl: string, token: string) => {
  const url = new URL(redirectUrl);
  url.searchParams.set('token', token);
  return url.toString();
};

/** `{id}` is always the caller's own tenant; any other id is a 404, like an unknown one. */
const ownTenant = (callerTenant: string, id: string) => {
  if (callerTenant !== id) throw new AppError('not_found', 'No such tenant');
};

async function tenantByCode(repos: Repositories, code: string) {
  const tenant = await repos.tenants.findByCode(code);
  if (!tenant) throw new AppError('not_found', 'No tenant has this code');
  return tenant;
}

/** `contract.magicLink`: requesting a link, and the tenant's allowed redirect URLs. Login goes through the sign-in method. */
export const magicLinkHandlers = (
  uow: UnitOfWork,
  deps: MagicLinkHandlersDeps,
): Handlers<typeof contract.magicLink> => ({
  /**
   * `POST /auth/magic-link/request`: mails a link to one of the tenant's registered redirect URLs with the
   * token appended. Issued and mailed for every well-formed email (a new person may sign up with it), so
   * the answer does not depend on whether the email belongs to anyone.
   */
  request: async ({ body }, { client }) => {
    const { tenant, issued, link } = await uow.transaction(async (repos) => {
      const tenant = await tenantByCode(repos, body.tenant_code);
      if (!tenant.authProviders.includes('magic_link')) {
        throw new AppError('provider_not_allowed', 'This tenant does not accept magic links');
      }
      const allowed = await repos.magicLinks.redirectUrls(tenant.id);
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
      await countSend(
        repos,
        deps.clock.now(),
        {
          channel: 'email',
          address: body.email,
          tenant,
          ip: client.ip,
        },
        deps.sendLimits,
      );
      const issued = await issueMagicLink(repos, deps, { email: body.email, tenantId: tenant.id });
      repos.audit.record({
        action: 'auth.magic_link.requested',
        actor: { type: 'anonymous' },
        tenantId: tenant.id,
        target: { type: 'magic_link', id: issued.id },
        ...client,
        details: { email: body.email },
      });
      const link = withToken(redirectUrl, issued.token);
      if (deps.outbox) {
        await queueMail(repos, deps.outbox, {
          tenant,
          kind: 'magic_link',
          to: body.email,
          variables: { link, expires_minutes: String(Math.round(MAGIC_LINK_TTL_SECONDS / 60)) },
        });
      }
      return { tenant, issued, link };
    });
    if (deps.outbox) {
      deps.outbox.onQueued?.();
    } else {
      try {
        await deps.mail.send(
          magicLinkMessage({ to: body.email, link, tenant, ttlSeconds: MAGIC_LINK_TTL_SECONDS }),
        );
      } catch (error) {
        deps.onDeliveryFailure?.(error);
        throw new AppError('unavailable', 'The link could not be sent; try again shortly');
      }
    }
    return {
      status: 200,
      body: {
        sent: true as const,
        channel: 'email' as const,
        expires_at: issued.expiresAt.toISOString(),
        ...(deps.exposeTokens ? { token: issued.token, link } : {}),
      },
    };
  },

  /** `GET /tenants/{id}/magic-link`. */
  getSettings: async ({ params }, ctx) => {
    ownTenant(callerOf(ctx).tenantId, params.id);
    const urls = await uow.read((repos) => repos.magicLinks.redirectUrls(params.id));
    return { status: 200, body: { redirect_urls: urls } };
  },

  /** `PUT /tenants/{id}/magic-link`: replaces the list; audited (`tenant.magic_link.updated`) with both lists. */
  putSettings: async ({ params, body }, ctx) => {
    const caller = callerOf(ctx);
    ownTenant(caller.tenantId, params.id);
    const urls = [...body.redirect_urls];
    await uow.transaction(async (repos) => {
      const before = await repos.magicLinks.setRedirectUrls(params.id, urls, deps.clock.now());
      repos.audit.record({
        action: 'tenant.magic_link.updated',
        actor: auditActorOf(caller),
        tenantId: params.id,
        target: { type: 'tenant', id: params.id },
        ...ctx.client,
        details: { from: before, to: urls },
      });
    });
    return { status: 200, body: { redirect_urls: urls } };
  },
});
