// Password strength rules (NIST SP 800-63B): one definition for the server, the MSW mock and
// any client that wants to warn before submitting.
export { commonPasswordList } from './common-passwords';
export { normalizePassword, type PasswordContext, weakPasswordReason } from './strength';
