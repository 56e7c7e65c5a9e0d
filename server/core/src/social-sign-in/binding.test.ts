// The two S256 computations of social sign-in (#17): the app's binding of the exchange code
// (`verifierMatches`) and the provider PKCE challenge the core computes itself (`pkceChallenge`, so that
// the mock runs under jsdom), both checked against RFC 7636's example and oauth4webapi's own.
import * as oauth from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import { webCryptoHashing } from '../platform.js';
import { verifierMatches } from './flow.js';
import { pkceChallenge } from './provider-client.js';

// RFC 7636, appendix B.
const VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';

describe('the S256 code challenges', () => {
  it('pkceChallenge is RFC 7636 S256, as oauth4webapi computes it', async () => {
    expect(await pkceChallenge(VERIFIER)).toBe(CHALLENGE);
    for (let i = 0; i < 5; i++) {
      const verifier = oauth.generateRandomCodeVerifier();
      expect(await pkceChallenge(verifier)).toBe(await oauth.calculatePKCECodeChallenge(verifier));
    }
  });

  it("verifierMatches accepts only the verifier of the flow's challenge", async () => {
    const deps = { hashing: webCryptoHashing };
    expect(await verifierMatches(deps, { clientChallenge: CHALLENGE }, VERIFIER)).toBe(true);
    expect(await verifierMatches(deps, { clientChallenge: CHALLENGE }, `${VERIFIER.slice(0, -1)}l`)).toBe(
      false,
    );
    // The challenge itself is not a verifier of itself.
    expect(await verifierMatches(deps, { clientChallenge: CHALLENGE }, CHALLENGE)).toBe(false);
    // A flow from before the binding matches nothing.
    expect(await verifierMatches(deps, { clientChallenge: null }, VERIFIER)).toBe(false);
  });
});
