// The app's side of social sign-in's code binding (#17), as an e2e test plays it: RFC 7636 appendix B's
// verifier and its S256 challenge. The browser SDK draws a fresh pair per flow; tests that are not about the
// binding use this one.
export const APP_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
export const APP_CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
