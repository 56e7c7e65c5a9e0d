import { generateOpenApiDocument, type OpenApiDocument } from '@enforcer/contract';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { DomainRoutes } from '../../http/contract-routes.js';

/** Where the browsable API reference lives (the seed's `/swagger` and `/swagger/doc.json`). */
export const swaggerPrefix = '/swagger';

/**
 * `/swagger`: Swagger UI over the contract's OpenAPI document, and `/swagger/doc.json`: the
 * document itself (also at `/swagger/json`, where the UI reads it). Generated from the contract
 * once, at start, with the deployment's origin as its server (paths carry the base path).
 */
export const swaggerRoutes: DomainRoutes = (app, services) => {
  let document: OpenApiDocument | undefined;
  const openApi = () => {
    document ??= generateOpenApiDocument({ serverUrl: new URL(services.config.issuer).origin });
    return document;
  };

  app.register(async (scope) => {
    await scope.register(fastifySwagger, {
      mode: 'static',
      specification: { document: openApi() as never },
    });
    await scope.register(fastifySwaggerUi, { routePrefix: swaggerPrefix, staticCSP: true });
    scope.get(`${swaggerPrefix}/doc.json`, async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return openApi();
    });
  });
};
