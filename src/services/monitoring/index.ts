/** Remote monitoring's use cases (issue 18, decisions 0029 and 0030): what other folders use, by name. */
import type { DeviceAlarmCode } from '../../domain/monitoring/index.js';
import { openCaseForAlarm } from '../cases/index.js';
import type { Ports } from '../ports.js';
import { createActivityDeclarations } from './activities.js';
import { createDeviceRegistry } from './devices.js';
import { createIngestion, type IngestionOptions, type RaisedAlarm } from './ingest.js';
import { createJointUse } from './joint-use.js';
import { createMonitoringQueries } from './queries.js';

export { EVENT_CURSOR } from './queries.js';

/**
 * Alarms → cases through the existing path (one case per cause, keyed by device, code and the
 * time of its cause), once the batch or refusal that raised them is committed. Settles when each
 * case is open or has failed to open (a failure is logged; the alarm stays listed).
 */
export async function openCasesForDeviceAlarms(ports: Ports, alarms: readonly RaisedAlarm[]): Promise<void> {
  await Promise.all(
    alarms.map((a) =>
      openCaseForAlarm(ports, {
        source: 'device',
        code: a.code as DeviceAlarmCode,
        state: a.state,
        device: a.device,
        at: a.at,
      }).catch((err: unknown) =>
        ports.logger.warn(
          { err: (err as Error).message, device: a.device, code: a.code },
          'could not open a case for a device alarm',
        ),
      ),
    ),
  );
}

/**
 * The registry, the one ingestion (HTTP and MQTT share it: build it once per process and hand it
 * to both), the reads and the states' declared activities.
 */
export function createMonitoringService(ports: Ports, options: IngestionOptions = {}) {
  const registry = createDeviceRegistry(ports);
  const ingestion = createIngestion(ports, options);
  ingestion.onAlarms((alarms) => {
    void openCasesForDeviceAlarms(ports, alarms);
  });
  return {
    registry,
    jointUse: createJointUse(ports, registry),
    ingestion,
    queries: createMonitoringQueries(ports, registry),
    activities: createActivityDeclarations(ports),
  };
}

export type MonitoringService = ReturnType<typeof createMonitoringService>;
