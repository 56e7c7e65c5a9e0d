import { randomBytes, randomUUID } from 'node:crypto';

/** The source of randomness for secrets and ids, injected so tests can be deterministic where they need to be. */
export interface RandomSource {
  bytes(length: number): Buffer;
  uuid(): string;
}

export const cryptoRandom: RandomSource = {
  bytes: (length) => randomBytes(length),
  uuid: () => randomUUID(),
};
