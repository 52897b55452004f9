/** Remote monitoring's use cases (issue 18, decisions 0029 and 0030): what other folders use, by name. */
import type { Ports } from '../ports.js';
import { createDeviceRegistry } from './devices.js';
import { createIngestion, type IngestionOptions } from './ingest.js';
import { createMonitoringQueries } from './queries.js';

/**
 * The registry, the one ingestion (HTTP and MQTT share it: build it once per process and hand it
 * to both) and the reads.
 */
export function createMonitoringService(ports: Ports, options: IngestionOptions = {}) {
  const registry = createDeviceRegistry(ports);
  return {
    registry,
    ingestion: createIngestion(ports, options),
    queries: createMonitoringQueries(ports, registry),
  };
}

export type MonitoringService = ReturnType<typeof createMonitoringService>;
