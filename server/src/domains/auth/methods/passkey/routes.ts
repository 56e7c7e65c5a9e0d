import { deletePasskey, passkeyCredentials } from './credentials.js';
import { passkeyLoginBegin } from './login-begin.js';
import { passkeyRegisterBegin, passkeyRegisterFinish } from './register.js';

/** The passkey routes of the contract (`contract.auth.passkey*`, `deletePasskey`). */
export const passkeyHandlers = {
  passkeyRegisterBegin,
  passkeyRegisterFinish,
  passkeyLoginBegin,
  passkeyCredentials,
  deletePasskey,
};
