import { VerifierError } from '../errors';
import type { JsonWebKeySet } from '../options';
import { importKeySet, type VerificationKey } from './import-key-set';
import type { KeySource, KeySourceStatus } from './key-source';

/** A JWKS given to `createVerifier` (offline): imported once, never fetched. */
export class LocalKeySet implements KeySource {
  readonly #loading: Promise<Map<string, VerificationKey>>;
  #kids: string[] = [];

  constructor(jwks: JsonWebKeySet, algorithms: ReadonlySet<string>) {
    this.#loading = importKeySet(jwks, algorithms);
    this.#loading.then(
      (keys) => {
        this.#kids = [...keys.keys()];
      },
      () => {},
    );
  }

  async get(kid: string): Promise<VerificationKey> {
    const keys = await this.#loading;
    const key = keys.get(kid);
    if (!key) {
      throw new VerifierError(
        keys.size === 0 ? 'keys_unavailable' : 'unknown_key',
        keys.size === 0 ? 'the configured JWKS has no usable key' : 'no key with this kid in the JWKS',
        { claim: 'kid' },
      );
    }
    return key;
  }

  assertUsable(): void {}

  async ready(): Promise<void> {
    await this.#loading;
  }

  async refresh(): Promise<void> {}

  status(): KeySourceStatus {
    return { source: 'jwks', kids: [...this.#kids], fetchedAt: undefined };
  }
}
