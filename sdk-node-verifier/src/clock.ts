/** The current time in epoch milliseconds. Injected so expiry and staleness are tested without sleeping. */
export type Now = () => number;

export const systemNow: Now = () => Date.now();
