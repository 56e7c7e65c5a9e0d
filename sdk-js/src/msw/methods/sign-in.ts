import { MOCK_PBKDF2_ITERATIONS, passwordSignIn, pbkdf2PasswordHasher } from '@enforcer/core';

/**
 * What the mock's sign-in keeps of its own: its password hasher, the core's PBKDF2 at a deliberately low
 * cost (argon2id on the server). Everything else is the core's (server/core/src/auth, methods, passwords).
 */
export const passwordHasher = pbkdf2PasswordHasher({ iterations: MOCK_PBKDF2_ITERATIONS });
/** The core's `password` method (and registration), the server's. */
export const passwordMethod = passwordSignIn({ hasher: passwordHasher });
