import type { MailDelivery as CoreMailDelivery, MailMessage } from '@enforcer/core';

export type { MailMessage };

/**
 * Where mail goes: the core's port (`send` resolves once the SMTP server or the development outbox
 * accepted the message, rejects when it did not), plus what the server's lifecycle needs.
 */
export interface MailDelivery extends CoreMailDelivery {
  readonly kind: 'development' | 'smtp';
  /** Releases connections (called when the server closes). */
  close(): Promise<void>;
}

/** Header values come from users (tenant names): no control characters, so no header injection. */
export const headerSafe = (value: string): string =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
