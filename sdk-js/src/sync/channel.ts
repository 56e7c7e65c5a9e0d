/** The subset of BroadcastChannel the SDK uses to tell its other tabs about a session. */
export interface ChannelLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  close(): void;
}

export type ChannelFactory = (name: string) => ChannelLike | null;

/** A BroadcastChannel when the platform has one (browsers, Node), else null: no cross-tab messages. */
export const platformChannel: ChannelFactory = (name) => {
  const Channel = (globalThis as { BroadcastChannel?: typeof BroadcastChannel }).BroadcastChannel;
  if (typeof Channel !== 'function') return null;
  const channel = new Channel(name);
  // Node: a channel must not keep the process alive.
  (channel as { unref?: () => void }).unref?.();
  return channel as ChannelLike;
};
