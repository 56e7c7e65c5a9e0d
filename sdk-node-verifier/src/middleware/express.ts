import type { Action, Resource } from '@enforcer/contract/policy';
import type { Verifier } from '../create-verifier';
import { checkPermission, contextFor, type EnforcerContext } from './context';
import { bearerToken, type ProblemAnswer, problemAnswer, problemForError } from './problem';

// Express's own types are not needed: these are the few members used (Node's request and response).
export interface ExpressLikeRequest {
  headers: Record<string, string | string[] | undefined>;
  originalUrl?: string;
  url?: string;
  enforcer?: EnforcerContext | null;
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
      /** Set by `@enforcer/node-verifier`'s middleware: the verified caller, or null. */
      enforcer?: EnforcerContext | null;
    }
  }
}

export interface EnforcerExpressOptions {
  verifier: Verifier;
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
 * (application/problem+json) without a valid access token; `req.enforcer` holds the principal.
 */
export function enforcerExpress(options: EnforcerExpressOptions): Middleware {
  const { verifier, onError } = options;
  const getToken = options.getToken ?? ((req: ExpressLikeRequest) => bearerToken(req.headers.authorization));
  return (req, res, next) => {
    req.enforcer = null;
    const token = getToken(req);
    if (token === undefined) {
      if (options.optional) return next();
      return send(res, problemAnswer('unauthenticated', undefined, instanceOf(req)));
    }
    if (token === null) return send(res, problemAnswer('token_invalid', undefined, instanceOf(req)));
    verifier.verify(token).then(
      (principal) => {
        req.enforcer = contextFor(verifier, principal);
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
 * policy says no. `resource` builds the record the permission is about from the request, typed as the
 * route's own request (Express infers it: `req.params.id` on `'/accounts/:id'`, `req.body`), or as any
 * request type you annotate it with.
 */
export function requirePermission<Req extends ExpressLikeRequest = ExpressLikeRequest>(
  permission: Action,
  resource?: (req: Req) => Resource | Promise<Resource>,
  options: { onError?: (error: unknown, req: Req) => void } = {},
): (req: Req, res: ExpressLikeResponse, next: NextFunction) => void {
  return (req, res, next) => {
    const context = req.enforcer;
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
