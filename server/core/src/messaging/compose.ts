import type { MessageKind } from '@enforcer/contract';
import type { Repositories } from '../store.js';
import type { TenantRecord } from '../tenants/ports.js';
import { builtInTemplates, FALLBACK_LOCALE, type TemplateSource } from './defaults.js';
import { renderTemplate } from './templates.js';

/** A message ready to leave: one recipient, a subject, a text body and maybe an HTML one. */
export interface RenderedMail {
  to: string;
  subject: string;
  text: string;
  html: string | null;
}

export interface ResolvedTemplate {
  locale: string;
  source: 'tenant' | 'built_in';
  template: TemplateSource;
  updatedAt: Date | null;
}

/** `pt-BR` → `pt`; `en` → `en`. */
const languageOf = (locale: string) => locale.split('-')[0]!;

/**
 * The template a message of `kind` uses: for each locale in turn (the one asked for, its language, the
 * tenant's default, `en`), the tenant's own template, else the built-in one.
 */
export async function resolveTemplate(
  repos: Repositories,
  tenantId: string | null,
  kind: MessageKind,
  locale: string | null | undefined,
): Promise<ResolvedTemplate> {
  const settings = tenantId ? await repos.messaging.settings(tenantId) : null;
  const candidates = [
    ...(locale ? [locale, languageOf(locale)] : []),
    settings?.defaultLocale ?? FALLBACK_LOCALE,
    FALLBACK_LOCALE,
  ].filter((l, i, all) => all.indexOf(l) === i);
  for (const candidate of candidates) {
    const own = tenantId ? await repos.messaging.template(tenantId, kind, candidate) : null;
    if (own) {
      return {
        locale: candidate,
        source: 'tenant',
        template: { subject: own.subject, text: own.text, html: own.html },
        updatedAt: own.updatedAt,
      };
    }
    const builtIn = builtInTemplates[candidate]?.[kind];
    if (builtIn) return { locale: candidate, source: 'built_in', template: builtIn, updatedAt: null };
  }
  // Unreachable while `en` has every kind.
  return {
    locale: FALLBACK_LOCALE,
    source: 'built_in',
    template: builtInTemplates.en![kind],
    updatedAt: null,
  };
}

/** The variables every message has: the tenant's name, logo and primary colour, and the recipient. */
export function commonVariables(tenant: TenantRecord | null, to: string): Record<string, string> {
  const theme = tenant?.theme ?? {};
  return {
    tenant_name: tenant?.name ?? 'Enforcer',
    logo_url: tenant?.logoUrl ?? '',
    primary_color: theme.primary ?? theme.primary_color ?? '#1f2937',
    recipient: to,
  };
}

/** Renders a template: the subject on one line (no header injection), the HTML body with escaped values. */
export function renderMessage(
  template: TemplateSource,
  variables: Record<string, string>,
): { subject: string; text: string; html: string | null } {
  return {
    subject: renderTemplate(template.subject, variables)
      // biome-ignore lint/suspicious/noControlCharactersInRegex: a subject is one header line
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .trim(),
    text: renderTemplate(template.text, variables),
    html: template.html === null ? null : renderTemplate(template.html, variables, { html: true }),
  };
}

export interface ComposeInput {
  tenant: TenantRecord | null;
  kind: MessageKind;
  /** The locale asked for (null: the tenant's default). */
  locale?: string | null | undefined;
  to: string;
  /** The kind's own variables (the common ones are added). */
  variables: Record<string, string>;
}

/** The message of `kind` for `to`, in the best locale the tenant or the built-in templates have. */
export async function composeMail(
  repos: Repositories,
  input: ComposeInput,
): Promise<RenderedMail & { locale: string }> {
  const resolved = await resolveTemplate(repos, input.tenant?.id ?? null, input.kind, input.locale);
  const variables = { ...input.variables, ...commonVariables(input.tenant, input.to) };
  return { to: input.to, locale: resolved.locale, ...renderMessage(resolved.template, variables) };
}
