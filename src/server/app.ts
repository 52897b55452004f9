import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { DomainError } from '../domain/errors.js';
import { createCaseService } from '../services/cases/index.js';
import { createEvaluationService, type EvaluationService } from '../services/evaluation/index.js';
import { createFederation, type Federation } from '../services/federation/index.js';
import { createInspectionService } from '../services/inspections/index.js';
import {
  createCompatibilityService,
  createInstitutionRoleService,
  createInstrumentService,
  createProvisionCatalogue,
} from '../services/legal/index.js';
import type { LogNode } from '../services/log/index.js';
import { createMonitoringService, type MonitoringService } from '../services/monitoring/index.js';
import type { Ports } from '../services/ports.js';
import { createRegistryService } from '../services/registry.js';
import { registerAuth } from './auth.js';
import { errorHandler, sendError } from './errors.js';
import { registerCaseRoutes } from './routes/cases.js';
import { registerCompatibilityRoutes } from './routes/compatibility.js';
import { registerDeclarationRoutes } from './routes/declarations.js';
import { registerMonitoringRoutes } from './routes/devices.js';
import { registerEvaluationRoutes } from './routes/evaluation.js';
import { registerEventRoutes } from './routes/events.js';
import { registerFederationRoutes } from './routes/federation.js';
import { registerInspectionRoutes } from './routes/inspections.js';
import { registerLegalRoutes } from './routes/legal.js';
import { registerLogRoutes } from './routes/log.js';
import { registerRegistryRoutes } from './routes/registry.js';
import { registerReportRoutes } from './routes/reports.js';
import { registerSessionRoutes } from './routes/session.js';
import { registerSystemRoutes } from './routes/system.js';
import { registerSecurity } from './security.js';
import { registerClientCertificates, tlsServerOptions } from './tls.js';

export interface AppDeps extends Ports {
  readonly log: LogNode;
  /** Shared with the server's background evaluator; built here when not given. */
  readonly evaluation?: EvaluationService;
  /** Shared with the MQTT transport: one ingestion per process; built here when not given. */
  readonly monitoring?: MonitoringService;
  /** Shared with the server's delivery worker; built here when not given. */
  readonly federation?: Federation;
  /** Directory of the built web app (web/dist); served at / when it exists. */
  readonly webDist?: string;
}

/** Build the whole HTTP app from its dependencies. Never listens: main.ts and tests decide that. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const https = tlsServerOptions(deps.config);
  const app = Fastify({
    ...(https ? { https } : {}),
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.bodyLimitBytes,
    // Query strings and JSON are parsed defensively: prototype poisoning is an error, not data.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    routerOptions: { maxParamLength: 200 },
    // Behind a TLS proxy (CUSTOS_TRUST_PROXY=1) req.protocol is https, so the session cookie is Secure.
    trustProxy: deps.config.trustProxy,
    // Errors raised before routing (e.g. a path parameter over maxParamLength) get our envelope too.
    frameworkErrors: (error, _request, reply) => {
      void sendError(reply, new DomainError('BAD_REQUEST', error.message));
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);

  await app.register(fastifyCookie);
  registerSecurity(app, deps.config);
  registerClientCertificates(app, deps.config);
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Custos API',
        version: '0.1.0',
        description: 'The shared, verifiable record of international nuclear safeguards cooperation.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'custos_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { config: { auth: 'public' }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  registerAuth(app, deps);
  registerSystemRoutes(app, deps);
  registerSessionRoutes(app, deps);
  registerRegistryRoutes(app, createRegistryService(deps));
  registerLogRoutes(app, deps, deps.log);
  const cases = createCaseService(deps);
  registerCaseRoutes(app, cases);
  registerCompatibilityRoutes(
    app,
    deps,
    createCompatibilityService(deps, createProvisionCatalogue(deps.db), cases),
  );
  registerEventRoutes(app, deps);
  registerInspectionRoutes(app, createInspectionService(deps));
  registerLegalRoutes(app, createInstrumentService(deps), createInstitutionRoleService(deps));
  registerReportRoutes(app, deps);
  registerDeclarationRoutes(app, deps);
  registerEvaluationRoutes(app, deps.evaluation ?? createEvaluationService(deps));
  registerFederationRoutes(app, deps.federation ?? createFederation(deps, deps.log));
  registerMonitoringRoutes(app, deps.monitoring ?? createMonitoringService(deps));

  const webDist = deps.webDist;
  if (webDist && existsSync(join(webDist, 'index.html'))) {
    await app.register(fastifyStatic, { root: webDist, prefix: '/', wildcard: false, index: ['index.html'] });
  }
  app.setNotFoundHandler((request, reply) => {
    const url = request.url;
    const isApi = url.startsWith('/api/') || url.startsWith('/log/') || url === '/api';
    // The single-page app owns every other GET path (client-side routing).
    if (!isApi && request.method === 'GET' && webDist && existsSync(join(webDist, 'index.html'))) {
      return reply.sendFile('index.html', webDist);
    }
    return sendError(reply, new DomainError('NOT_FOUND', `no route ${request.method} ${url.split('?')[0]}`));
  });
  return app;
}
