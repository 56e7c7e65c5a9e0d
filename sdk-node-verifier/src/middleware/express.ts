import type { Action, Resource } from '@enforcer/contract/policy';
import type { Verifier } from '../create-verifier';
import type { AnyPrincipal } from '../principal';
import {
  checkPermission,
  type EnforcerClientContext,
  type EnforcerContext,
  enforcerCaller,
  setCaller,
  verifiedCaller,
} from './context';
import { bearerToken, type ProblemAnswer, problemAnswer, problemForError } from './problem';

// Express's own types are not needed: these are the few members used (Node's request and response).
export interface ExpressLikeRequest {
  headers: Record<string, string | string[] | undefined>;
  originalUrl?: string;
  url?: string;
  enforcer?: EnforcerContext | null;
  enforcerClient?: EnforcerClientContext | null;
}
export interface ExpressLikeResponse {
  headersSent?: boolean;
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body: string): unknown;
}
export type NextFunction = (error?: unknown) => void;
export type Middleware = (req: ExpressLikeRequest, res: ExpressLikeResponse, next: NextFunction) => void;

declare global {
  namespace Express {
    interface Request {
      /** Set by `@enforcer/node-verifier`'s middleware: the verified account, or null (also for an application). */
      enforcer?: EnforcerContext | null;
      /** Set by the middleware with `acceptClientTokens`: the verified application, or null. */
      enforcerClient?: EnforcerClientContext | null;
    }
  }
}

export interface EnforcerExpressOptions {
  /** With `acceptClientTokens`, one created with `acceptClientTokens: true` too. */
  verifier: Verifier<AnyPrincipal>;
  /**
   * Let applications' tokens (client credentials, #18) through as well: their caller is
   * `req.enforcerClient` (`kind: 'client'`) and `req.enforcer` stays null, so code written for people never
   * mistakes a service for one. Default false: an application's token is 401 `token_invalid`.
   */
  acceptClientTokens?: boolean;
  /** Let requests without a token through (`req.enforcer` null); a bad token is still a 401. */
  optional?: boolean;
  /** Where the token is (default: `Authorization: Bearer <token>`). */
  getToken?: (req: ExpressLikeRequest) => string | undefined | null;
  /** Told about every refusal (with the verifier's precise code), for logs. */
  onError?: (error: unknown, req: ExpressLikeRequest) => void;
}

function send(res: ExpressLikeResponse, answer: ProblemAnswer): void {
  if (res.headersSent) return;
  res.statusCode = answer.status;
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  res.end(JSON.stringify(answer.body));
}

const instanceOf = (req: ExpressLikeRequest) => req.originalUrl ?? req.url;

/**
 * Express (or plain Node) middleware: `app.use(enforcerExpress({ verifier }))`. Answers 401 problems
 * (application/problem+json) without a valid access token; `req.enforcer` holds the principal (with
 * `acceptClientTokens`, an application's is in `req.enforcerClient`; `enforcerCaller(req)` gives either).
 */
export function enforcerExpress(options: EnforcerExpressOptions): Middleware {
  const { verifier, onError } = options;
  const acceptClientTokens = options.acceptClientTokens === true;
  const getToken = options.getToken ?? ((req: ExpressLikeRequest) => bearerToken(req.headers.authorization));
  return (req, res, next) => {
    setCaller(req, null);
    const token = getToken(req);
    if (token === undefined) {
      if (options.optional) return next();
      return send(res, problemAnswer('unauthenticated', undefined, instanceOf(req)));
    }
    if (token === null) return send(res, problemAnswer('token_invalid', undefined, instanceOf(req)));
    verifiedCaller(verifier, token, acceptClientTokens).then(
      (caller) => {
        setCaller(req, caller);
        next();
      },
      (error: unknown) => {
        onError?.(error, req);
        send(res, problemForError(error, instanceOf(req)));
      },
    );
  };
}

/**
 * Requires a permission, after `enforcerExpress`: 401 without a principal, 403 `forbidden` when the
 * policy says no (for an application let through, its scopes are its grants, as on the server). `resource` builds the record the permission is about from the request, typed as the
 * route's own request (Express infers it: `req.params.id` on `'/accounts/:id'`, `req.body`), or as any
 * request type you annotate it with.
 */
export function requirePermission<Req extends ExpressLikeRequest = ExpressLikeRequest>(
  permission: Action,
  resource?: (req: Req) => Resource | Promise<Resource>,
  options: { onError?: (error: unknown, req: Req) => void } = {},
): (req: Req, res: ExpressLikeResponse, next: NextFunction) => void {
  return (req, res, next) => {
    const context = enforcerCaller(req);
    if (!context) return send(res, problemAnswer('unauthenticated', undefined, instanceOf(req)));
    Promise.resolve(resource ? resource(req) : undefined)
      .then((record) => {
        const result = checkPermission(context, permission, record);
        if (result.allowed) next();
        else send(res, problemAnswer('forbidden', result.detail, instanceOf(req), result.reason));
      })
      .catch((error: unknown) => {
        options.onError?.(error, req);
        send(res, problemForError(error, instanceOf(req)));
      });
  };
}
