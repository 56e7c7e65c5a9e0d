import { contract } from '@enforcer/contract';
import { type DomainRoutes, registerContractRoutes } from '../../../http/contract-routes.js';
import { confirm } from './routes/confirm.js';
import { disable } from './routes/disable.js';
import { enroll } from './routes/enroll.js';
import { regenerateRecoveryCodes } from './routes/regenerate-recovery-codes.js';
import { status } from './routes/status.js';
import { stepUp } from './routes/step-up.js';
import { verify } from './routes/verify.js';

/** `contract.mfa`: TOTP enrollment, recovery codes, finishing an MFA-gated sign-in, step-up. */
export const mfaRoutes: DomainRoutes = (app) => {
  registerContractRoutes(app, contract.mfa, {
    status,
    enroll,
    confirm,
    disable,
    regenerateRecoveryCodes,
    verify,
    stepUp,
  });
};
