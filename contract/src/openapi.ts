import { type AppRoute, type AppRouter, isAppRoute } from '@ts-rest/core';
import { generateOpenApi } from '@ts-rest/open-api';
import { z } from 'zod';
import { accountSchema } from './accounts/schemas';
import { apiKeySchema, createdApiKeySchema } from './api-keys/schemas';
import {
  loginBodySchema,
  membershipSchema,
  personSchema,
  sessionSchema,
  tokenResponseSchema,
} from './auth/schemas';
import { decisionReasonSchema, policySubjectSchema } from './authorization/schemas';
import { type AuthRequirement, getRouteMetadata } from './common/route';
import { paginationSchema } from './common/schemas';
import { basePath, contract } from './contract';
import { jwkSchema } from './discovery/schemas';
import { errorStatus, problemSchema, problemType } from './errors';
import { groupMembershipSchema, groupSchema } from './groups/schemas';
import { planSchema, residualSchema } from './policy/residual';
import { conditionSchema, policyDocumentSchema } from './policy/schema';
import { roleSchema } from './roles/schemas';
import { inviteSchema, publicTenantSchema, tenantSchema, tenantSummarySchema } from './tenants/schemas';

export type OpenApiDocument = ReturnType<typeof generateOpenApi>;
type SchemaObjects = NonNullable<NonNullable<OpenApiDocument['components']>['schemas']>;

export interface OpenApiOptions {
  /** `info.version`; defaults to `1.0.0`. */
  version?: string;
  /** A `servers` entry, e.g. `https://api.example.com`. Paths already carry the base path. */
  serverUrl?: string;
}

/** The two ways a credential travels (a user JWT or an API key may both be a Bearer token). */
export const securitySchemes = {
  bearer: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A user access token from `POST /auth/login` (or a Privy access token). An API key is also accepted here.',
  },
  apiKey: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: 'An API key from `POST /api-keys`; server side only.',
  },
} as const;

const securityFor: Record<AuthRequirement, Array<Record<string, string[]>>> = {
  none: [],
  user: [{ bearer: [] }],
  api_key: [{ apiKey: [] }, { bearer: [] }],
  user_or_api_key: [{ bearer: [] }, { apiKey: [] }],
  platform: [{ apiKey: [] }, { bearer: [] }],
};

/**
 * Schemas that become named components (`#/components/schemas/<name>`) instead of being
 * inlined into every operation: the shared objects, and the recursive ones (which must).
 */
const componentNames = new Map<unknown, string>([
  [problemSchema, 'Problem'],
  [paginationSchema, 'Pagination'],
  [tenantSchema, 'Tenant'],
  [publicTenantSchema, 'PublicTenant'],
  [tenantSummarySchema, 'TenantSummary'],
  [inviteSchema, 'Invite'],
  [accountSchema, 'Account'],
  [personSchema, 'Person'],
  [tokenResponseSchema, 'TokenResponse'],
  [loginBodySchema, 'LoginRequest'],
  [membershipSchema, 'Membership'],
  [sessionSchema, 'Session'],
  [groupSchema, 'Group'],
  [groupMembershipSchema, 'GroupMembership'],
  [roleSchema, 'Role'],
  [apiKeySchema, 'ApiKey'],
  [createdApiKeySchema, 'CreatedApiKey'],
  [policyDocumentSchema, 'PolicyDocument'],
  [conditionSchema, 'PolicyCondition'],
  [policySubjectSchema, 'PolicySubject'],
  [decisionReasonSchema, 'DecisionReason'],
  [planSchema, 'Plan'],
  [residualSchema, 'PlanResidual'],
  [jwkSchema, 'Jwk'],
]);

/**
 * The global registry (descriptions and ids set with `.meta()`), plus the component names
 * above, without registering anything globally (the policy schemas are not ours to tag). `toJSONSchema` only
 * ever calls `get` on it.
 */
const metadata = {
  get: (schema: z.core.$ZodType) => {
    const own = z.globalRegistry.get(schema);
    const id = componentNames.get(schema);
    return id ? { ...own, id } : own;
  },
} as unknown as typeof z.globalRegistry;

type Json = { [key: string]: unknown };

const statusDescriptions: Record<string, string> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted',
  '204': 'No content',
  '400': 'Invalid input (`validation_failed`, ...): a problem with `errors[]` naming each field',
  '401': 'No credential, or a bad one (`unauthenticated`, `token_expired`, `invalid_otp`, ...)',
  '403': 'Not allowed (`forbidden`, `credential_not_allowed`, `account_inactive`, ...)',
  '404': 'Not found (`not_found`)',
  '409': 'Conflicts with the current state (`conflict`, `already_member`, `last_admin`)',
  '412': 'The `If-Match` ETag is stale (`precondition_failed`)',
  '413': 'The body is too large (`payload_too_large`)',
  '415': 'The body is not JSON (`unsupported_media_type`)',
  '429': 'Too many requests (`rate_limited`, `otp_attempts_exceeded`); see `Retry-After`',
  '500': 'Server error (`internal_error`)',
  '503': 'Not available right now (`unavailable`)',
};

const rewriteRefs = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] =
      k === '$ref' && typeof v === 'string'
        ? v.replace('#/definitions/', '#/components/schemas/')
        : rewriteRefs(v);
  }
  return out;
};

/**
 * Responses are described as `input` too: their schemas have no transforms or defaults,
 * and `output` would mark every response object `additionalProperties: false`, which tells
 * generated clients to reject fields a later server version adds.
 */
const toJson = (schema: z.core.$ZodType) =>
  z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', metadata }) as Json;

/** Header parameters of a route whose `headers` are a record of one schema per header. */
const headerParameters = (route: AppRoute) =>
  route.headers && !(route.headers instanceof z.ZodType)
    ? Object.entries(route.headers as Record<string, unknown>).flatMap(([name, schema]) =>
        schema instanceof z.ZodType
          ? [
              {
                name,
                in: 'header' as const,
                required: !schema.safeParse(undefined).success,
                schema: toJson(schema),
              },
            ]
          : [],
      )
    : [];

/**
 * The OpenAPI 3.0 document of the whole contract (served at `/swagger/doc.json`). Schemas
 * come from zod 4's own converter; each operation carries its `security`, its tag and
 * `x-enforcer-auth` / `x-enforcer-permission` from the route metadata.
 */
export function generateOpenApiDocument(options: OpenApiOptions = {}): OpenApiDocument {
  const components: SchemaObjects = {};

  const document = generateOpenApi(
    contract,
    {
      info: {
        title: 'Enforcer API',
        version: options.version ?? '1.0.0',
        description: `Identity and authorization. Every path is under \`${basePath}\`; errors are RFC 9457 problems (\`application/problem+json\`) with a stable \`code\`.`,
      },
      ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
      components: { securitySchemes: securitySchemes as unknown as Record<string, never> },
    },
    {
      setOperationId: 'concatenated-path',
      schemaTransformer: ({ schema, type }) => {
        // Per-header schemas (`headers: { 'if-match': z.string() }`) are dropped by the sync
        // generator of @ts-rest/open-api 3.53.0-rc.1; `headerParameters` adds them instead.
        // Any zod 4 schema: the classic API's, or zod/mini's (the policy document's, see policy/schema.ts).
        if (type === 'header' || !(schema instanceof z.core.$ZodType)) return null;
        const json = toJson(schema);
        const { definitions, ...rest } = json;
        for (const [name, def] of Object.entries((definitions ?? {}) as Json)) {
          const rewritten = rewriteRefs(def);
          const existing = components[name];
          if (existing !== undefined && JSON.stringify(existing) !== JSON.stringify(rewritten)) {
            throw new Error(`OpenAPI component ${name} has two different shapes`);
          }
          components[name] = rewritten as SchemaObjects[string];
        }
        return rewriteRefs(rest) as Json;
      },
      operationMapper: (operation, route) => {
        const meta = getRouteMetadata(route);
        const responses = Object.fromEntries(
          Object.entries(operation.responses as Record<string, Json>).map(([status, response]) => [
            status,
            { ...response, description: statusDescriptions[status] ?? status },
          ]),
        );
        return {
          ...operation,
          parameters: [...(operation.parameters ?? []), ...headerParameters(route)],
          ...(operation.requestBody && 'content' in operation.requestBody
            ? { requestBody: { content: operation.requestBody.content, required: true } }
            : {}),
          responses,
          tags: [meta.tag],
          security: securityFor[meta.auth],
          'x-enforcer-auth': meta.auth,
          ...(meta.permission ? { 'x-enforcer-permission': meta.permission } : {}),
        };
      },
    },
  );

  document.components = {
    ...document.components,
    schemas: { ...document.components?.schemas, ...components },
  };
  return document;
}

/** Every route of a router, flattened, with its dotted name (`tenants.selfServe`). */
export const listRoutes = (
  router: AppRouter,
  prefix: string[] = [],
): Array<{ name: string; route: AppRoute }> =>
  Object.entries(router).flatMap(([key, value]) =>
    isAppRoute(value)
      ? [{ name: [...prefix, key].join('.'), route: value }]
      : listRoutes(value, [...prefix, key]),
  );

/** For docs/errors.md and tests: every error code with its status and problem `type`. */
export const errorCatalog = () =>
  Object.entries(errorStatus).map(([code, status]) => ({
    code,
    status,
    type: problemType(code as keyof typeof errorStatus),
  }));
