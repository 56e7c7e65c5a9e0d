// The app's actions, declared once. With this registration, useCan, <Can>, enforcer.can, the
// verifier and requirePermission accept only these names: a typo is a compile error.
import { type ActionsOf, defineActions } from '@enforcer/sdk-js';

export const actions = defineActions({
  statements: ['read'],
  transfers: ['create'],
});

declare module '@enforcer/sdk-js' {
  interface Register {
    actions: ActionsOf<typeof actions>;
  }
}
