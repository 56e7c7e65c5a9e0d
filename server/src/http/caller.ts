import type { Caller, PlatformCaller } from '@enforcer/core';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Who is calling: the core's `Caller`, worked out once per request by the `authenticate` preHandler
     * from the route's `metadata.auth` (undefined on public routes). Handlers never read credentials.
     */
    caller: Caller | undefined;
    /** A JSON body's exact bytes, kept for handlers that check a signature over them (KYC webhooks). */
    rawBody: Buffer | undefined;
    /** The platform key on a `/platform/*` route (set by the authenticate plugin). */
    platformCaller: PlatformCaller | undefined;
  }
}
