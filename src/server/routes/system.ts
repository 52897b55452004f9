import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Ports } from '../../services/ports.js';
import { probeDatabase } from '../../store/db.js';

/** Health and Prometheus metrics. One registry per app, never the global one (no singletons). */
export function registerSystemRoutes(app: FastifyInstance, ports: Ports): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'custos_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'custos_http_request_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  const thread = ports.intakeThread;
  new Gauge({
    name: 'custos_intake_thread_submissions',
    help: 'Report submissions examined and stored on the intake thread since the server started (decision 0078)',
    registers: [registry],
    collect() {
      this.set(thread?.answered() ?? 0);
    },
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    latency.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  app.get('/healthz', { config: { auth: 'public' }, schema: { tags: ['system'] } }, async (_req, reply) => {
    try {
      await probeDatabase(ports.db);
      return { status: 'ok', database: ports.db.dialect };
    } catch {
      return reply.status(503).send({ status: 'unavailable', database: ports.db.dialect });
    }
  });
  app.get('/metrics', { config: { auth: 'metrics' }, schema: { tags: ['system'] } }, async (_req, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
  return registry;
}
