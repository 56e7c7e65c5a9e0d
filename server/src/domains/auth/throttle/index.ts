import type { Services } from '../../../services.js';
import { SignInThrottle } from './throttle.js';

export * from './throttle.js';

const throttles = new WeakMap<Services, SignInThrottle>();

/** The server's sign-in throttle (one per `Services`, so per app). */
export function signInThrottle(services: Services): SignInThrottle {
  let throttle = throttles.get(services);
  if (!throttle) {
    throttle = new SignInThrottle({ clock: services.clock });
    throttles.set(services, throttle);
  }
  return throttle;
}
