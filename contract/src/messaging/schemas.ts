import { z } from 'zod';
import { idSchema, messageChannelSchema, timestampSchema } from '../common/schemas';

/**
 * The messaging module (#16): where a tenant's mail leaves from (its own SMTP server and sender, or the
 * deployment's), and the text of each message Enforcer sends for it, per kind and locale.
 */

/**
 * What Enforcer sends: by mail a sign-in code, a code proving an address (no tenant chosen yet), a sign-in
 * link, an invite, a password reset code, a new-device notice, a deletion notice; by SMS a phone code.
 */
export const messageKinds = [
  'otp_code',
  'email_verification',
  'magic_link',
  'invite',
  'password_reset',
  'new_device',
  'deletion_pending',
  'sms_otp_code',
] as const;
export const messageKindSchema = z.enum(messageKinds);
export type MessageKind = z.infer<typeof messageKindSchema>;

/** How a message leaves: mail (subject, text, optional HTML) or SMS (text only). */
export type MessageChannel = 'email' | 'sms';

/** The channel of each kind: the `sms_` kinds are texts, every other kind is a mail. */
export const messageKindChannel = {
  otp_code: 'email',
  email_verification: 'email',
  magic_link: 'email',
  invite: 'email',
  password_reset: 'email',
  new_device: 'email',
  deletion_pending: 'email',
  sms_otp_code: 'sms',
} as const satisfies Record<MessageKind, MessageChannel>;

/** The variables every kind may use: the tenant's name, logo and primary theme colour, and the recipient. */
export const commonMessageVariables = ['tenant_name', 'logo_url', 'primary_color', 'recipient'] as const;

/** The variables a template of each kind may use besides the common ones (anything else is refused). */
export const messageKindVariables = {
  otp_code: ['code', 'expires_minutes'],
  email_verification: ['code', 'expires_minutes'],
  magic_link: ['link', 'expires_minutes'],
  invite: ['code', 'link', 'expires_at'],
  password_reset: ['code', 'expires_minutes'],
  new_device: ['device', 'ip_address', 'signed_in_at'],
  deletion_pending: ['due_date'],
  sms_otp_code: ['code', 'expires_minutes'],
} as const satisfies Record<MessageKind, readonly string[]>;

/** `en`, `de`, `pt-BR`: a language, optionally with a region. */
export const messageLocaleSchema = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Z]{2})?$/, 'a language tag like en, de or pt-BR');

/** Sender settings as sent: absent keeps a value, null clears it (back to the deployment's). */
export const putMessagingSettingsBodySchema = z.object({
  /**
   * The tenant's own SMTP server, `smtp://user@host:587` or `smtps://host:465`; null: the deployment's.
   * A password in the URL is moved to the sealed secret (the URL is stored and answered without it).
   */
  smtp_url: z
    .url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' })
    .max(2048)
    .nullable()
    .optional(),
  /** The SMTP password. Stored encrypted, never answered; null clears it. */
  smtp_password: z.string().min(1).max(512).nullable().optional(),
  /** The sender, `Acme <no-reply@acme.example>`; null: the deployment's. */
  from: z
    .string()
    .min(3)
    .max(320)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
    .regex(/^[^\u0000-\u001f\u007f]*@[^\u0000-\u001f\u007f]*$/, 'an address, optionally with a name')
    .nullable()
    .optional(),
  /** The locale used when a request names none. */
  default_locale: messageLocaleSchema.optional(),
  /**
   * The tenant's own HTTP SMS gateway (`POST` of `{ to, text, from? }` with `Authorization: Bearer <token>`);
   * null: the deployment's. https (http only to localhost outside production).
   */
  sms_gateway_url: z
    .url({ protocol: /^https?$/, error: 'must be an https:// URL' })
    .max(2048)
    .nullable()
    .optional(),
  /** The gateway's bearer token. Stored encrypted, never answered; null clears it. */
  sms_gateway_token: z.string().min(1).max(512).nullable().optional(),
  /** The SMS sender id or number; null: the deployment's. */
  sms_from: z
    .string()
    .min(1)
    .max(32)
    .regex(/^[A-Za-z0-9 +]+$/, 'letters, digits, spaces and +')
    .nullable()
    .optional(),
});
export type PutMessagingSettingsBody = z.infer<typeof putMessagingSettingsBodySchema>;

export const messagingSettingsSchema = z.object({
  /** The tenant's SMTP server (without its password), or null when mail leaves through the deployment's. */
  smtp_url: z.string().nullable(),
  /** Whether an SMTP password is stored (it is never answered). */
  smtp_password_set: z.boolean(),
  from: z.string().nullable(),
  default_locale: z.string(),
  /** The tenant's SMS gateway, or null when texts leave through the deployment's. */
  sms_gateway_url: z.string().nullable(),
  /** Whether a gateway token is stored (it is never answered). */
  sms_gateway_token_set: z.boolean(),
  sms_from: z.string().nullable(),
  /** The locales with built-in templates (any other falls back to `en` unless the tenant has its own). */
  built_in_locales: z.array(z.string()),
  updated_at: timestampSchema.nullable(),
});
export type MessagingSettings = z.infer<typeof messagingSettingsSchema>;

export const messageTemplateParamsSchema = z.object({
  id: idSchema,
  kind: messageKindSchema,
  locale: messageLocaleSchema,
});

/**
 * A template: `{{variable}}` is replaced by the variable's value (escaped for HTML in `html`); nothing else
 * is interpreted. A variable the kind does not have is `400 template_invalid`.
 */
export const putMessageTemplateBodySchema = z.object({
  /** A mail's subject: required for mail kinds, refused for SMS kinds (`400 validation_failed`). */
  subject: z.string().min(1).max(200).optional(),
  /** The text body; for an SMS kind, the whole text (at most 640 characters once rendered is advisable). */
  text: z.string().min(1).max(20_000),
  /** Optional HTML body (sent alongside the text one); mail kinds only. */
  html: z.string().min(1).max(100_000).nullable().optional(),
});
export type PutMessageTemplateBody = z.infer<typeof putMessageTemplateBodySchema>;

export const messageTemplateSchema = z.object({
  kind: messageKindSchema,
  /** `email` or `sms` (an SMS template has an empty subject and no HTML). */
  channel: messageChannelSchema,
  locale: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string().nullable(),
  /** `tenant`: the tenant's own; `built_in`: the default (what the tenant gets without one of its own). */
  source: z.enum(['tenant', 'built_in']),
  /** The variables this kind may use. */
  variables: z.array(z.string()),
  updated_at: timestampSchema.nullable(),
});
export type MessageTemplate = z.infer<typeof messageTemplateSchema>;

export const messagePreviewBodySchema = z.object({
  kind: messageKindSchema,
  locale: messageLocaleSchema.optional(),
  /** Sample values; a variable the kind does not have is `400 template_invalid`. Missing ones render empty. */
  variables: z.record(z.string().max(64), z.string().max(2048)).optional(),
  /** Preview this text instead of the stored template (checked like a save). */
  template: putMessageTemplateBodySchema.optional(),
});
export type MessagePreviewBody = z.infer<typeof messagePreviewBodySchema>;

export const messagePreviewSchema = z.object({
  kind: messageKindSchema,
  channel: messageChannelSchema,
  /** The locale whose template was used (the tenant's, a built-in one, or `en`). */
  locale: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string().nullable(),
});
export type MessagePreview = z.infer<typeof messagePreviewSchema>;
