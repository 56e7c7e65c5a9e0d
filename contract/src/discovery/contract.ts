import { c, routeMeta } from '../common/route';
import { jwksSchema, openIdConfigurationSchema } from './schemas';

const meta = routeMeta('Discovery');

/**
 * Discovery sits under the base path with everything else (`/api/v1/enforcer/.well-known/...`),
 * and `issuer` is the base URL, so `<issuer>/.well-known/openid-configuration` resolves as
 * OpenID discovery expects. Verifiers that look at the host root instead can be served by
 * mounting `wellKnownContract` (the same routes, no prefix; see contract.ts) there too:
 * both use the same handlers because this router holds the unprefixed paths.
 */
export const discoveryContract = c.router({
  jwks: {
    method: 'GET',
    path: '/.well-known/jwks.json',
    summary: 'The public keys access tokens are signed with (JWKS)',
    responses: { 200: jwksSchema },
    metadata: meta({ auth: 'none' }),
  },
  openIdConfiguration: {
    method: 'GET',
    path: '/.well-known/openid-configuration',
    summary: 'OpenID-style discovery document (issuer, jwks_uri, ...)',
    responses: { 200: openIdConfigurationSchema },
    metadata: meta({ auth: 'none' }),
  },
});
