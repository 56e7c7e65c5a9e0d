import type { Clock } from '../shared/clock';

/**
 * A clock tests move by hand; share one between the mock and the SDK. Moving it also drives the
 * SDK's background refresh: advancing past the refresh point refreshes at once, no timers to fake.
 */
export interface ManualClock extends Clock {
  /** Moves time forward by `seconds`. */
  advance(seconds: number): void;
  set(at: Date | number): void;
}

export function manualClock(start: Date | number = Date.UTC(2030, 0, 1)): ManualClock {
  let ms = typeof start === 'number' ? start : start.getTime();
  const listeners = new Set<() => void>();
  const moved = () => {
    for (const listener of [...listeners]) listener();
  };
  return {
    now: () => ms,
    advance: (seconds) => {
      ms += seconds * 1000;
      moved();
    },
    set: (at) => {
      ms = typeof at === 'number' ? at : at.getTime();
      moved();
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
