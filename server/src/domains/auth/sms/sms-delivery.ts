export interface SmsMessage {
  /** E.164. */
  to: string;
  text: string;
}

/** Sends text messages. `send` throws when the message could not be handed over (the caller answers 503). */
export interface SmsDelivery {
  readonly kind: 'http' | 'development' | 'unconfigured';
  send(message: SmsMessage): Promise<void>;
}
