/** One plain-text message. Addresses are single, already validated addresses (never a list). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/**
 * Where mail goes. `send` resolves once the message is accepted for delivery (by the SMTP server, or by
 * the development outbox) and rejects when it was not; callers decide what a failure means.
 */
export interface MailDelivery {
  readonly kind: 'development' | 'smtp';
  send(message: MailMessage): Promise<void>;
  /** Releases connections (called when the server closes). */
  close(): Promise<void>;
}

/** Header values come from users (tenant names): no control characters, so no header injection. */
export const headerSafe = (value: string): string =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
