// A server render of the page (no DOM): what the server sends before the browser takes over. Without a
// session it renders the loading state, touches no browser API, and holds no personal data.
import { EnforcerProvider } from '@enforcer/react';
import { renderToString } from 'react-dom/server';
import { expect, it } from 'vitest';
import { TransferPage } from '../src/TransferPage.js';

it('renders the loading state on the server, with no browser API', () => {
  expect(typeof window).toBe('undefined');
  const html = renderToString(
    <EnforcerProvider options={{ baseUrl: 'https://enforcer.test', tenantCode: 'ACME-PAY0-TEST' }}>
      <TransferPage />
    </EnforcerProvider>,
  );
  expect(html).toContain('Loading…');
  expect(html).not.toContain('Send money');
  expect(html).not.toContain('Send me a code');
});
