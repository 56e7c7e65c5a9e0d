import type { SmsDelivery, SmsMessage } from './sms-delivery.js';

/** How long a gateway call may take before the send counts as failed. */
export const SMS_GATEWAY_TIMEOUT_MS = 10_000;

/**
 * A generic HTTP SMS gateway: `POST <url>` with JSON `{ "to": "+1415...", "text": "...", "from"? }` and
 * `Authorization: Bearer <api key>`. Any 2xx is success; anything else, a network error or a timeout is a
 * failure (the gateway's answer is not logged: it may echo the message).
 */
export class HttpSmsGateway implements SmsDelivery {
  readonly kind = 'http' as const;
  readonly #url: string;
  readonly #apiKey: string | undefined;
  readonly #from: string | undefined;

  constructor(options: { url: string; apiKey?: string | undefined; from?: string | undefined }) {
    this.#url = options.url;
    this.#apiKey = options.apiKey;
    this.#from = options.from;
  }

  async send(message: SmsMessage): Promise<void> {
    const response = await fetch(this.#url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json',
        ...(this.#apiKey ? { authorization: `Bearer ${this.#apiKey}` } : {}),
      },
      body: JSON.stringify({
        to: message.to,
        text: message.text,
        ...(this.#from ? { from: this.#from } : {}),
      }),
      signal: AbortSignal.timeout(SMS_GATEWAY_TIMEOUT_MS),
      redirect: 'error',
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`The SMS gateway answered ${response.status}`);
  }
}
