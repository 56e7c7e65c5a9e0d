/** The first answer to a request made with an `Idempotency-Key`, kept per tenant until it expires. */
export interface IdempotentAnswer {
  /** What the route made of the request (a hash of its canonical body): another request is a conflict. */
  requestHash: string;
  status: number;
  body: unknown;
}

/**
 * The port to idempotency keys (`POST /accounts`): a key is the tenant's, so two tenants' keys never meet.
 * Callers hold the tenant's lock, so one request per tenant looks a key up and saves it at a time.
 */
export interface IdempotencyStore {
  /** The answer saved under the key, unless it expired at `now`. */
  find(tenantId: string, key: string, now: Date): Promise<IdempotentAnswer | null>;
  /** Saves the answer under the key until `expiresAt` (replacing an expired one). */
  save(tenantId: string, key: string, answer: IdempotentAnswer, expiresAt: Date): Promise<void>;
}
