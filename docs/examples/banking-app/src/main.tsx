import { EnforcerProvider } from '@enforcer/react';
import { createEnforcer } from '@enforcer/sdk-js';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import './styles.css';

// One client for the app. Enforcer is reached through this origin (the dev server proxies
// /api/v1/enforcer to it), and the session lives in localStorage, so every tab shares it:
// one refresh for all tabs, and signing out in one signs out the others.
const enforcer = createEnforcer({ baseUrl: window.location.origin, storage: 'local' });

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <EnforcerProvider client={enforcer}>
      <App />
    </EnforcerProvider>
  </StrictMode>,
);
