/** The source of "now" (epoch milliseconds), injected so tests move time instead of sleeping. */
export interface Clock {
  now(): number;
  /**
   * Optional: tells when time jumped (a test clock moved by hand). The SDK's background refresh
   * listens, so moving a test clock past the refresh point refreshes as real time would.
   */
  onChange?(listener: () => void): () => void;
}

export const systemClock: Clock = { now: () => Date.now() };
