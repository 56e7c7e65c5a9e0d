import type { contract } from '@enforcer/contract';
import type { RouterImpl } from '../context';

const CLAIMS = [
  'iss',
  'aud',
  'sub',
  'person_id',
  'tenant_id',
  'sid',
  'roles',
  'groups',
  'amr',
  'grant_version',
  'iat',
  'exp',
  'jti',
];

export const discoveryRoutes: RouterImpl<typeof contract.discovery> = {
  jwks: async (_request, { tokens }) => ({
    status: 200,
    body: await tokens.jwks(),
  }),
  openIdConfiguration: (_request, { tokens }) => {
    const issuer = tokens.settings.issuer;
    return {
      status: 200,
      body: {
        issuer,
        jwks_uri: `${issuer}/.well-known/jwks.json`,
        userinfo_endpoint: `${issuer}/auth/me`,
        response_types_supported: [],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['ES256'],
        claims_supported: CLAIMS,
        authorization_decision_endpoint: `${issuer}/authorize`,
        authorization_filter_endpoint: `${issuer}/authorize/filter`,
      },
    };
  },
};

export const healthRoutes: RouterImpl<typeof contract.health> = {
  live: () => ({ status: 200, body: { status: 'ok' } }),
  ready: () => ({ status: 200, body: { status: 'ready', checks: { database: 'ok', signing_keys: 'ok' } } }),
};
