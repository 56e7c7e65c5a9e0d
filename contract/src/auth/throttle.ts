import { z } from 'zod';

/**
 * Sign-in throttling. Wrong passwords, one-time codes and second factors are counted per account
 * (tenant + email, whether or not the account exists) and per client address: past a free allowance
 * every failure adds a growing delay (`429 rate_limited` with `Retry-After`), and too many failures
 * for one account lock it (`403 account_locked`) until an admin lifts the lock with
 * `POST /accounts/{id}/unlock`.
 */

/** `POST /accounts/{id}/unlock`. */
export const unlockAccountResponseSchema = z.object({
  /** Whether the account was locked (a hard lockout) before this call. */
  was_locked: z.boolean(),
  /** Whether a delay (or a lock) was in force before this call; both are gone now. */
  was_throttled: z.boolean(),
  /** Whether the account's status was `locked` by an admin (`POST /accounts/{id}/lock`): it is `active` now. */
  status_lock_lifted: z.boolean(),
});
export type UnlockAccountResponse = z.infer<typeof unlockAccountResponseSchema>;
