import {
  type contract,
  type MessageKind,
  type MessagePreview,
  type MessageTemplate,
  type MessagingSettings,
  messageKindChannel,
} from '@enforcer/contract';
import { callerOf, type Handlers } from '../api/handlers.js';
import { auditActorOf } from '../caller.js';
import { AppError } from '../errors.js';
import type { SecretSealer } from '../mfa/sealer.js';
import type { Clock } from '../platform.js';
import type { UnitOfWork } from '../store.js';
import { ownTenant } from '../tenants/invites.js';
import { commonVariables, renderMessage, resolveTemplate } from './compose.js';
import { builtInLocales, FALLBACK_LOCALE } from './defaults.js';
import { smsGatewayTokenAad, smtpPasswordAad } from './outbox.js';
import type { MessagingSettingsRecord } from './ports.js';
import { assertTemplateValid, assertVariablesKnown, variablesOf } from './templates.js';

export interface MessagingDeps {
  /** Seals the SMTP password at rest (the server: AES-256-GCM under a sub-key of its master key). */
  sealer: SecretSealer;
  clock: Clock;
  /**
   * Checks a tenant's SMTP host before it is saved (production: it must resolve to public addresses, as
   * webhook targets must); throws to refuse. The transport checks again before every connection.
   */
  checkSmtpHost?(url: URL): Promise<void>;
  /** The same for a tenant's SMS gateway URL (production: https to a public address). */
  checkSmsGateway?(url: URL): Promise<void>;
}

function settingsDto(record: MessagingSettingsRecord | null): MessagingSettings {
  return {
    smtp_url: record?.smtpUrl ?? null,
    smtp_password_set: Boolean(record?.smtpPasswordSealed),
    from: record?.from ?? null,
    default_locale: record?.defaultLocale ?? FALLBACK_LOCALE,
    sms_gateway_url: record?.smsGatewayUrl ?? null,
    sms_gateway_token_set: Boolean(record?.smsGatewayTokenSealed),
    sms_from: record?.smsFrom ?? null,
    built_in_locales: [...builtInLocales],
    updated_at: record ? record.updatedAt.toISOString() : null,
  };
}

/** An SMTP URL split into the URL kept in clear (no password) and the password (sealed apart). */
function splitSmtpUrl(raw: string): { url: string; password: string | null } {
  const url = new URL(raw);
  const password = url.password ? decodeURIComponent(url.password) : null;
  url.password = '';
  return { url: url.toString(), password };
}

/**
 * A template's parts fit its channel: a mail kind needs a subject; an SMS kind has neither a subject nor
 * an HTML body (`400 validation_failed` naming the field).
 */
function assertPartsFitChannel(
  kind: MessageKind,
  template: { subject?: string | undefined; html?: string | null | undefined },
  prefix = 'body',
): void {
  const fail = (field: string, message: string) => {
    throw new AppError('validation_failed', `${field} ${message}`, {
      errors: [{ path: `${prefix}.${field}`, message }],
    });
  };
  if (messageKindChannel[kind] === 'sms') {
    if (template.subject !== undefined) fail('subject', 'is not part of an SMS template');
    if (template.html !== undefined && template.html !== null) fail('html', 'is not part of an SMS template');
  } else if (template.subject === undefined) {
    fail('subject', 'is required for a mail template');
  }
}

/** Runs a host check, turning its refusal into `400 validation_failed` naming the field. */
async function refuseUnless(field: string, check: () => Promise<void> | undefined): Promise<void> {
  try {
    await check();
  } catch (error) {
    const message = error instanceof Error ? error.message : 'refused';
    throw new AppError('validation_failed', `${field} is refused: ${message}`, {
      errors: [{ path: `body.${field}`, message }],
    });
  }
}

/**
 * The messaging module (#16): a tenant's sender settings (`/tenants/{id}/messaging`), its own templates per
 * kind and locale, and a preview that renders without sending. Changes are audited
 * (`tenant.messaging.updated`, `tenant.messaging.template_updated`, `tenant.messaging.template_deleted`)
 * without secrets or template texts.
 */
export const messagingHandlers = (
  uow: UnitOfWork,
  deps: MessagingDeps,
): Handlers<typeof contract.messaging> => ({
  getSettings: async ({ params }, ctx) => {
    const caller = callerOf(ctx);
    const record = await uow.read(async (repos) => {
      await ownTenant(repos, caller, params.id);
      return repos.messaging.settings(caller.tenantId);
    });
    return { status: 200, body: settingsDto(record) };
  },

  putSettings: async ({ params, body }, ctx) => {
    const caller = callerOf(ctx);
    const record = await uow.transaction(async (repos) => {
      const tenant = await ownTenant(repos, caller, params.id, true);
      const before = await repos.messaging.settings(tenant.id);
      let smtpUrl = before?.smtpUrl ?? null;
      let smtpPasswordSealed = before?.smtpPasswordSealed ?? null;
      const seal = (password: string) => deps.sealer.seal(password, smtpPasswordAad(tenant.id));
      if (body.smtp_url === null) {
        smtpUrl = null;
        smtpPasswordSealed = null;
      } else if (body.smtp_url !== undefined) {
        const split = splitSmtpUrl(body.smtp_url);
        await refuseUnless('smtp_url', () => deps.checkSmtpHost?.(new URL(split.url)));
        smtpUrl = split.url;
        if (split.password !== null) smtpPasswordSealed = await seal(split.password);
      }
      let smsGatewayUrl = before?.smsGatewayUrl ?? null;
      let smsGatewayTokenSealed = before?.smsGatewayTokenSealed ?? null;
      if (body.sms_gateway_url === null) {
        smsGatewayUrl = null;
        smsGatewayTokenSealed = null;
      } else if (body.sms_gateway_url !== undefined) {
        const url = new URL(body.sms_gateway_url);
        if (url.username || url.password) {
          throw new AppError(
            'validation_failed',
            'sms_gateway_url carries no credentials (sms_gateway_token does)',
            {
              errors: [{ path: 'body.sms_gateway_url', message: 'no user name or password in the URL' }],
            },
          );
        }
        await refuseUnless('sms_gateway_url', () => deps.checkSmsGateway?.(url));
        smsGatewayUrl = url.toString();
      }
      if (body.sms_gateway_token === null) smsGatewayTokenSealed = null;
      else if (body.sms_gateway_token !== undefined) {
        smsGatewayTokenSealed = await deps.sealer.seal(body.sms_gateway_token, smsGatewayTokenAad(tenant.id));
      }
      if (body.smtp_password === null) smtpPasswordSealed = null;
      else if (body.smtp_password !== undefined) smtpPasswordSealed = await seal(body.smtp_password);
      const next: MessagingSettingsRecord = {
        tenantId: tenant.id,
        smtpUrl,
        smtpPasswordSealed,
        from: body.from === undefined ? (before?.from ?? null) : body.from,
        defaultLocale: body.default_locale ?? before?.defaultLocale ?? FALLBACK_LOCALE,
        smsGatewayUrl,
        smsGatewayTokenSealed,
        smsFrom: body.sms_from === undefined ? (before?.smsFrom ?? null) : body.sms_from,
        updatedAt: deps.clock.now(),
      };
      await repos.messaging.saveSettings(next);
      repos.audit.record({
        action: 'tenant.messaging.updated',
        actor: auditActorOf(caller),
        tenantId: tenant.id,
        target: { type: 'tenant', id: tenant.id },
        ...ctx.client,
        details: {
          smtp_url: next.smtpUrl,
          from: next.from,
          default_locale: next.defaultLocale,
          smtp_credential_changed: next.smtpPasswordSealed !== (before?.smtpPasswordSealed ?? null),
          sms_gateway_url: next.smsGatewayUrl,
          sms_from: next.smsFrom,
          sms_credential_changed: next.smsGatewayTokenSealed !== (before?.smsGatewayTokenSealed ?? null),
        },
      });
      return next;
    });
    return { status: 200, body: settingsDto(record) };
  },

  getTemplate: async ({ params }, ctx) => {
    const caller = callerOf(ctx);
    const body = await uow.read(async (repos) => {
      await ownTenant(repos, caller, params.id);
      const own = await repos.messaging.template(params.id, params.kind, params.locale);
      if (own) return templateDto(params.kind, params.locale, 'tenant', own, own.updatedAt);
      const resolved = await resolveTemplate(repos, params.id, params.kind, params.locale);
      return templateDto(
        params.kind,
        resolved.locale,
        resolved.source,
        resolved.template,
        resolved.updatedAt,
      );
    });
    return { status: 200, body };
  },

  putTemplate: async ({ params, body }, ctx) => {
    const caller = callerOf(ctx);
    assertPartsFitChannel(params.kind, body);
    assertTemplateValid(params.kind, { subject: body.subject, text: body.text, html: body.html });
    const record = await uow.transaction(async (repos) => {
      const tenant = await ownTenant(repos, caller, params.id, true);
      const record = {
        tenantId: tenant.id,
        kind: params.kind,
        locale: params.locale,
        subject: body.subject ?? '',
        text: body.text,
        html: body.html ?? null,
        updatedAt: deps.clock.now(),
      };
      await repos.messaging.saveTemplate(record);
      repos.audit.record({
        action: 'tenant.messaging.template_updated',
        actor: auditActorOf(caller),
        tenantId: tenant.id,
        target: { type: 'tenant', id: tenant.id },
        ...ctx.client,
        details: { kind: params.kind, locale: params.locale },
      });
      return record;
    });
    return {
      status: 200,
      body: templateDto(params.kind, params.locale, 'tenant', record, record.updatedAt),
    };
  },

  deleteTemplate: async ({ params }, ctx) => {
    const caller = callerOf(ctx);
    await uow.transaction(async (repos) => {
      const tenant = await ownTenant(repos, caller, params.id, true);
      if (!(await repos.messaging.deleteTemplate(tenant.id, params.kind, params.locale))) {
        throw new AppError('not_found', 'The tenant has no template of this kind and locale');
      }
      repos.audit.record({
        action: 'tenant.messaging.template_deleted',
        actor: auditActorOf(caller),
        tenantId: tenant.id,
        target: { type: 'tenant', id: tenant.id },
        ...ctx.client,
        details: { kind: params.kind, locale: params.locale },
      });
    });
    return { status: 204, body: undefined };
  },

  preview: async ({ params, body }, ctx) => {
    const caller = callerOf(ctx);
    const samples = body.variables ?? {};
    assertVariablesKnown(body.kind, samples);
    if (body.template) {
      assertPartsFitChannel(body.kind, body.template, 'body.template');
      assertTemplateValid(
        body.kind,
        { subject: body.template.subject, text: body.template.text, html: body.template.html },
        'body.template',
      );
    }
    const preview: MessagePreview = await uow.read(async (repos) => {
      const tenant = await ownTenant(repos, caller, params.id);
      const resolved = body.template
        ? {
            locale: body.locale ?? FALLBACK_LOCALE,
            template: {
              subject: body.template.subject ?? '',
              text: body.template.text,
              html: body.template.html ?? null,
            },
          }
        : await resolveTemplate(repos, tenant.id, body.kind, body.locale);
      const variables = {
        ...commonVariables(tenant, samples.recipient ?? 'someone@example.com'),
        ...samples,
      };
      return {
        kind: body.kind,
        channel: messageKindChannel[body.kind],
        locale: resolved.locale,
        ...renderMessage(resolved.template, variables),
      };
    });
    return { status: 200, body: preview };
  },
});

function templateDto(
  kind: MessageKind,
  locale: string,
  source: 'tenant' | 'built_in',
  template: { subject: string; text: string; html: string | null },
  updatedAt: Date | null,
): MessageTemplate {
  return {
    kind,
    channel: messageKindChannel[kind],
    locale,
    subject: template.subject,
    text: template.text,
    html: template.html,
    source,
    variables: variablesOf(kind),
    updated_at: updatedAt ? updatedAt.toISOString() : null,
  };
}
