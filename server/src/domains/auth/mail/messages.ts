import type { MailMessage } from './mail-delivery.js';

/** The mail carrying a one-time code. Plain text: nothing to render, nothing to inject. */
export function otpMessage(input: {
  to: string;
  code: string;
  tenant: { name: string } | null;
  ttlSeconds: number;
}): MailMessage {
  const minutes = Math.round(input.ttlSeconds / 60);
  const what = input.tenant ? `sign in to ${input.tenant.name}` : 'confirm your email address';
  return {
    to: input.to,
    // The code stays out of the subject, which lock screens and notifications show.
    subject: input.tenant ? `Your sign-in code for ${input.tenant.name}` : 'Your verification code',
    text: [
      `Your code to ${what} is:`,
      '',
      `    ${input.code}`,
      '',
      `It works once, for ${minutes} minutes. If you did not ask for it, ignore this message:`,
      'nobody can use it without access to your mailbox.',
      '',
    ].join('\n'),
  };
}
