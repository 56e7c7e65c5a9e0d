import type { Clock } from '../shared/clock';

/** A clock tests move by hand; share one between the mock and the SDK. */
export interface ManualClock extends Clock {
  /** Moves time forward by `seconds`. */
  advance(seconds: number): void;
  set(at: Date | number): void;
}

export function manualClock(start: Date | number = Date.UTC(2030, 0, 1)): ManualClock {
  let ms = typeof start === 'number' ? start : start.getTime();
  return {
    now: () => ms,
    advance: (seconds) => {
      ms += seconds * 1000;
    },
    set: (at) => {
      ms = typeof at === 'number' ? at : at.getTime();
    },
  };
}
