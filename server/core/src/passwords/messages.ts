import type { MailMessage } from '../platform.js';

/** The mail carrying a password-reset code. Plain text; the code stays out of the subject. */
export function passwordResetMessage(input: {
  to: string;
  code: string;
  tenant: { name: string };
  ttlSeconds: number;
}): MailMessage {
  const minutes = Math.round(input.ttlSeconds / 60);
  return {
    to: input.to,
    subject: `Reset your password for ${input.tenant.name}`,
    text: [
      `Your code to set a new password for ${input.tenant.name} is:`,
      '',
      `    ${input.code}`,
      '',
      `It works once, for ${minutes} minutes. Setting a new password signs you out everywhere.`,
      'If you did not ask for it, ignore this message: your password stays as it is.',
      '',
    ].join('\n'),
  };
}
