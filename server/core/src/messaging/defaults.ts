import type { MessageKind } from '@enforcer/contract';

/** A message's text before rendering: `{{variable}}` placeholders only (templates.ts). */
export interface TemplateSource {
  /** Empty for an SMS kind (a text has no subject). */
  subject: string;
  text: string;
  html: string | null;
}

/** The HTML frame of the built-in messages: the tenant's name, logo-free, its primary colour as an accent. */
const frame = (title: string, body: string): string =>
  [
    '<!doctype html><html><body style="margin:0;padding:24px;font-family:Helvetica,Arial,sans-serif;color:#111827">',
    '<div style="max-width:480px;margin:0 auto">',
    '<p style="font-size:18px;font-weight:bold;color:{{primary_color}}">{{tenant_name}}</p>',
    `<h1 style="font-size:20px">${title}</h1>`,
    body,
    '</div></body></html>',
  ].join('\n');

const codeBlock =
  '<p style="font-size:28px;letter-spacing:4px;font-weight:bold;color:{{primary_color}}">{{code}}</p>';
const linkButton = (label: string) =>
  `<p><a href="{{link}}" style="display:inline-block;padding:12px 20px;background:{{primary_color}};color:#ffffff;text-decoration:none;border-radius:6px">${label}</a></p><p style="font-size:12px;word-break:break-all">{{link}}</p>`;

/**
 * The built-in templates, per locale and kind: what a tenant gets without its own. Codes stay out of
 * subjects (lock screens and notifications show subjects).
 */
export const builtInTemplates: Record<string, Record<MessageKind, TemplateSource>> = {
  en: {
    otp_code: {
      subject: 'Your sign-in code for {{tenant_name}}',
      text: 'Your code to sign in to {{tenant_name}} is:\n\n    {{code}}\n\nIt works once, for {{expires_minutes}} minutes. If you did not ask for it, ignore this message:\nnobody can use it without access to your mailbox.\n',
      html: frame(
        'Your sign-in code',
        `<p>Your code to sign in to {{tenant_name}} is:</p>\n${codeBlock}\n<p>It works once, for {{expires_minutes}} minutes. If you did not ask for it, ignore this message.</p>`,
      ),
    },
    email_verification: {
      subject: 'Your verification code',
      text: 'Your code to confirm your email address is:\n\n    {{code}}\n\nIt works once, for {{expires_minutes}} minutes. If you did not ask for it, ignore this message:\nnobody can use it without access to your mailbox.\n',
      html: frame(
        'Your verification code',
        `<p>Your code to confirm your email address is:</p>\n${codeBlock}\n<p>It works once, for {{expires_minutes}} minutes. If you did not ask for it, ignore this message.</p>`,
      ),
    },
    magic_link: {
      subject: 'Sign in to {{tenant_name}}',
      text: 'Open this link to sign in to {{tenant_name}}:\n\n{{link}}\n\nIt works once, for {{expires_minutes}} minutes. If you did not ask for it, ignore this message:\nnobody can use it without access to your mailbox.\n',
      html: frame(
        'Sign in',
        `<p>Open this link to sign in to {{tenant_name}}:</p>\n${linkButton('Sign in')}\n<p>It works once, for {{expires_minutes}} minutes. If you did not ask for it, ignore this message.</p>`,
      ),
    },
    invite: {
      subject: 'You are invited to {{tenant_name}}',
      text: 'You have been invited to join {{tenant_name}}.\n\nOpen this link to accept it:\n\n{{link}}\n\nOr sign in to {{tenant_name}} and enter this invite code: {{code}}\n\nThe invite works once, until {{expires_at}}. If you did not expect it, ignore this message.\n',
      html: frame(
        'You are invited',
        `<p>You have been invited to join {{tenant_name}}.</p>\n${linkButton('Accept the invite')}\n<p>Or sign in and enter this invite code: <b>{{code}}</b></p>\n<p>The invite works once, until {{expires_at}}.</p>`,
      ),
    },
    password_reset: {
      subject: 'Reset your password for {{tenant_name}}',
      text: 'Your code to set a new password for {{tenant_name}} is:\n\n    {{code}}\n\nIt works once, for {{expires_minutes}} minutes. Setting a new password signs you out everywhere.\nIf you did not ask for it, ignore this message: your password stays as it is.\n',
      html: frame(
        'Reset your password',
        `<p>Your code to reset your {{tenant_name}} password is:</p>\n${codeBlock}\n<p>It works once, for {{expires_minutes}} minutes. If you did not ask for it, ignore this message.</p>`,
      ),
    },
    new_device: {
      subject: 'New sign-in to {{tenant_name}}',
      text: 'Your {{tenant_name}} account was signed in to from a new device ({{device}}, {{ip_address}}) at {{signed_in_at}}.\n\nIf this was you, there is nothing to do. If not, change your password and end your other sessions.\n',
      html: frame(
        'New sign-in',
        '<p>Your {{tenant_name}} account was signed in to from a new device ({{device}}, {{ip_address}}) at {{signed_in_at}}.</p>\n<p>If this was you, there is nothing to do. If not, change your password and end your other sessions.</p>',
      ),
    },
    deletion_pending: {
      subject: 'Your {{tenant_name}} account will be deleted',
      text: 'Your {{tenant_name}} account is scheduled for deletion on {{due_date}}.\n\nIf you did not ask for this, or changed your mind, sign in before then and cancel the deletion.\n',
      html: frame(
        'Your account will be deleted',
        '<p>Your {{tenant_name}} account is scheduled for deletion on {{due_date}}.</p>\n<p>If you did not ask for this, or changed your mind, sign in before then and cancel the deletion.</p>',
      ),
    },
    sms_otp_code: {
      subject: '',
      text: '{{code}} is your {{tenant_name}} code. It expires in {{expires_minutes}} minutes. Never share it.',
      html: null,
    },
  },
  de: {
    otp_code: {
      subject: 'Ihr Anmeldecode für {{tenant_name}}',
      text: 'Ihr Code für die Anmeldung bei {{tenant_name}} lautet:\n\n    {{code}}\n\nEr gilt einmal, für {{expires_minutes}} Minuten. Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese Nachricht:\nohne Zugriff auf Ihr Postfach kann ihn niemand verwenden.\n',
      html: frame(
        'Ihr Anmeldecode',
        `<p>Ihr Code für die Anmeldung bei {{tenant_name}} lautet:</p>\n${codeBlock}\n<p>Er gilt einmal, für {{expires_minutes}} Minuten. Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese Nachricht.</p>`,
      ),
    },
    email_verification: {
      subject: 'Ihr Bestätigungscode',
      text: 'Ihr Code zur Bestätigung Ihrer E-Mail-Adresse lautet:\n\n    {{code}}\n\nEr gilt einmal, für {{expires_minutes}} Minuten. Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese Nachricht:\nohne Zugriff auf Ihr Postfach kann ihn niemand verwenden.\n',
      html: frame(
        'Ihr Bestätigungscode',
        `<p>Ihr Code zur Bestätigung Ihrer E-Mail-Adresse lautet:</p>\n${codeBlock}\n<p>Er gilt einmal, für {{expires_minutes}} Minuten. Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese Nachricht.</p>`,
      ),
    },
    magic_link: {
      subject: 'Bei {{tenant_name}} anmelden',
      text: 'Öffnen Sie diesen Link, um sich bei {{tenant_name}} anzumelden:\n\n{{link}}\n\nEr gilt einmal, für {{expires_minutes}} Minuten. Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese Nachricht.\n',
      html: frame(
        'Anmelden',
        `<p>Öffnen Sie diesen Link, um sich bei {{tenant_name}} anzumelden:</p>\n${linkButton('Anmelden')}\n<p>Er gilt einmal, für {{expires_minutes}} Minuten.</p>`,
      ),
    },
    invite: {
      subject: 'Einladung zu {{tenant_name}}',
      text: 'Sie wurden zu {{tenant_name}} eingeladen.\n\nÖffnen Sie diesen Link, um die Einladung anzunehmen:\n\n{{link}}\n\nOder melden Sie sich bei {{tenant_name}} an und geben Sie diesen Einladungscode ein: {{code}}\n\nDie Einladung gilt einmal, bis {{expires_at}}. Wenn Sie sie nicht erwartet haben, ignorieren Sie diese Nachricht.\n',
      html: frame(
        'Sie wurden eingeladen',
        `<p>Sie wurden zu {{tenant_name}} eingeladen.</p>\n${linkButton('Einladung annehmen')}\n<p>Oder geben Sie nach der Anmeldung diesen Einladungscode ein: <b>{{code}}</b></p>\n<p>Die Einladung gilt einmal, bis {{expires_at}}.</p>`,
      ),
    },
    password_reset: {
      subject: 'Ihr Passwort für {{tenant_name}} zurücksetzen',
      text: 'Ihr Code zum Zurücksetzen Ihres Passworts für {{tenant_name}} lautet:\n\n    {{code}}\n\nEr gilt einmal, für {{expires_minutes}} Minuten. Wenn Sie ihn nicht angefordert haben, ignorieren Sie diese Nachricht: Ihr Passwort bleibt unverändert.\n',
      html: frame(
        'Passwort zurücksetzen',
        `<p>Ihr Code zum Zurücksetzen Ihres Passworts für {{tenant_name}} lautet:</p>\n${codeBlock}\n<p>Er gilt einmal, für {{expires_minutes}} Minuten.</p>`,
      ),
    },
    new_device: {
      subject: 'Neue Anmeldung bei {{tenant_name}}',
      text: 'Bei Ihrem Konto für {{tenant_name}} wurde sich von einem neuen Gerät ({{device}}, {{ip_address}}) am {{signed_in_at}} angemeldet.\n\nWaren Sie das, ist nichts zu tun. Wenn nicht, ändern Sie Ihr Passwort und beenden Sie Ihre anderen Sitzungen.\n',
      html: frame(
        'Neue Anmeldung',
        '<p>Bei Ihrem Konto für {{tenant_name}} wurde sich von einem neuen Gerät ({{device}}, {{ip_address}}) am {{signed_in_at}} angemeldet.</p>\n<p>Waren Sie das, ist nichts zu tun. Wenn nicht, ändern Sie Ihr Passwort.</p>',
      ),
    },
    deletion_pending: {
      subject: 'Ihr Konto bei {{tenant_name}} wird gelöscht',
      text: 'Ihr Konto bei {{tenant_name}} wird am {{due_date}} gelöscht.\n\nWenn Sie das nicht veranlasst haben oder es sich anders überlegt haben, melden Sie sich vorher an und brechen Sie die Löschung ab.\n',
      html: frame(
        'Ihr Konto wird gelöscht',
        '<p>Ihr Konto bei {{tenant_name}} wird am {{due_date}} gelöscht.</p>\n<p>Wenn Sie das nicht veranlasst haben, melden Sie sich vorher an und brechen Sie die Löschung ab.</p>',
      ),
    },
    sms_otp_code: {
      subject: '',
      text: '{{code}} ist Ihr Code für {{tenant_name}}. Er läuft in {{expires_minutes}} Minuten ab. Geben Sie ihn nie weiter.',
      html: null,
    },
  },
};

export const builtInLocales = Object.keys(builtInTemplates);
export const FALLBACK_LOCALE = 'en';
