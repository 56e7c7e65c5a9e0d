import { EnforcerProvider } from '@enforcer/react';
import { createEnforcer } from '@enforcer/sdk-js';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

/** Set by vite.config.ts: Enforcer's origin when the browser calls it directly (CORS), else empty. */
declare const __ENFORCER_BROWSER_URL__: string;

// One client for the app. Enforcer is reached through this origin (the dev server proxies
// /api/v1/enforcer to it) unless the build names another, and the session lives in localStorage,
// so every tab shares it: one refresh for all tabs, and signing out in one signs out the others.
const enforcer = createEnforcer({
  baseUrl: __ENFORCER_BROWSER_URL__ || window.location.origin,
  storage: 'local',
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <EnforcerProvider client={enforcer}>
      <App />
    </EnforcerProvider>
  </StrictMode>,
);
