import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defaultClientConditions, defineConfig } from 'vite';
import { demoBackend } from './demo-backend.ts';

/** Where Enforcer runs (`pnpm start` at the repository root: port 8080). */
const enforcerUrl = process.env.ENFORCER_URL ?? 'http://127.0.0.1:8080';

/**
 * An OpenID Provider for the "Sign in with …" button (README: "Sign in with an OpenID Provider"): its issuer,
 * the client registered there for Enforcer, and the button's label. Without DEMO_OIDC_ISSUER, no button.
 */
const oidc = process.env.DEMO_OIDC_ISSUER
  ? {
      issuer: process.env.DEMO_OIDC_ISSUER,
      clientId: process.env.DEMO_OIDC_CLIENT_ID ?? 'enforcer-demo',
      clientSecret: process.env.DEMO_OIDC_CLIENT_SECRET || null,
      label: process.env.DEMO_OIDC_LABEL ?? 'OpenID Connect',
    }
  : undefined;

export default defineConfig({
  plugins: [
    react(),
    demoBackend({
      enforcerUrl,
      stateFile:
        process.env.DEMO_STATE_FILE ?? fileURLToPath(new URL('.enforcer/demo-state.json', import.meta.url)),
      oidc,
    }),
  ],
  // Where the browser reaches Enforcer: this app's own origin (the proxy below), unless the build names
  // Enforcer's own origin in ENFORCER_BROWSER_URL, which must then list this app's origin in a tenant's
  // `allowed_origins` (CORS; docs/server.md).
  define: { __ENFORCER_BROWSER_URL__: JSON.stringify(process.env.ENFORCER_BROWSER_URL ?? '') },
  // The workspace packages are used from their TypeScript sources (no build needed).
  resolve: { conditions: ['source', ...defaultClientConditions] },
  // Enforcer answers under the app's own origin: no CORS needed, as behind a production reverse proxy.
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: { '/api/v1/enforcer': { target: enforcerUrl, changeOrigin: false } },
  },
  preview: {
    host: '127.0.0.1',
    proxy: { '/api/v1/enforcer': { target: enforcerUrl, changeOrigin: false } },
  },
});
