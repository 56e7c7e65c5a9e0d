import type { MailMessage } from '../platform.js';

/** The mail carrying a sign-in link. Plain text: mail clients make the URL clickable. */
export function magicLinkMessage(input: {
  to: string;
  link: string;
  tenant: { name: string };
  ttlSeconds: number;
}): MailMessage {
  const minutes = Math.round(input.ttlSeconds / 60);
  return {
    to: input.to,
    subject: `Sign in to ${input.tenant.name}`,
    text: [
      `Open this link to sign in to ${input.tenant.name}:`,
      '',
      input.link,
      '',
      `It works once, for ${minutes} minutes. If you did not ask for it, ignore this message:`,
      'nobody can use it without access to your mailbox.',
      '',
    ].join('\n'),
  };
}
