import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/config.js';
import { createEvaluationService } from '../services/evaluation/index.js';
import { createFederation } from '../services/federation/index.js';
import { createLogNode } from '../services/log/index.js';
import { startCokTimer } from '../services/monitoring/cok-timer.js';
import { createMonitoringService } from '../services/monitoring/index.js';
import {
  registerObligationSource,
  startNotifications,
  storedObligations,
} from '../services/notifications/index.js';
import { startIntakeThread } from '../services/reports/intake-thread.js';
import { logRefusalSummaries } from '../services/reports/refusals.js';
import { openPorts, prepareNode } from '../services/runtime.js';
import { buildApp } from './app.js';
import { startMqttIngest } from './mqtt.js';

const WEB_DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/** Start Custos: open storage, first-start work, listen; SIGTERM/SIGINT shut down gracefully. */
export async function startServer(
  config: Config,
  options: { readonly intakeEntry?: string } = {},
): Promise<{ close(): Promise<void>; url: string }> {
  const opened = await openPorts(config);
  const prep = await prepareNode(opened, { demo: config.demo });
  // Big reports are examined and stored on a thread of their own (SQLite on disk, decision 0078);
  // it needs the entry module to run, which `custos serve` gives.
  const intake =
    options.intakeEntry !== undefined && opened.db.holdWriter !== undefined && config.intakeThreadBytes > 0
      ? startIntakeThread({
          entry: options.intakeEntry,
          db: opened.db,
          config,
          logger: opened.logger,
        })
      : undefined;
  const ports = intake ? { ...opened, intakeThread: intake } : opened;
  const log = createLogNode(ports);
  log.start();
  // Deadline reminders and late/missing-report cases come from every state's obligations, one
  // MBA at a time (decision 0089).
  registerObligationSource(storedObligations);
  // Events of other processes, webhook dispatch and the deadline scheduler (catches up at start).
  const notifications = await startNotifications(ports, { schedulerMs: config.schedulerMs });
  const evaluation = createEvaluationService(ports);
  // Records forwarded to peers under arrangements (issue 17): one delivery worker per node.
  const federation = createFederation(ports, log);
  // One ingestion for HTTP and MQTT; the CoK timer finds silent devices and opens alarms' cases,
  // nudged by every alarm a batch or refusal commits (decision 0030).
  const monitoring = createMonitoringService(ports);
  const cok = startCokTimer(ports, config.cokTimerMs);
  monitoring.ingestion.onAlarms(() => cok.nudge());
  const app = await buildApp({ ...ports, log, evaluation, federation, monitoring, webDist: WEB_DIST });
  // Alarms open cases (one per cause): every few seconds, the MBAs whose derived state changed
  // (decision 0108), every MBA once a day.
  // Refusals counted past an hour's quota are logged as one summary once the hour is over
  // (decision 0023): at start for hours that ended while the node was down, then every few seconds.
  const summarise = () =>
    logRefusalSummaries(ports).catch((err: unknown) =>
      ports.logger.error({ err }, 'refusal summaries failed'),
    );
  await summarise();
  const evaluator = setInterval(() => {
    evaluation.openCases().catch((err: unknown) => ports.logger.error({ err }, 'evaluation failed'));
    void summarise();
  }, 5000);
  evaluator.unref();
  const address = await app.listen({ port: config.port, host: config.host });
  federation.delivery.start();
  federation.witness.start();
  const mqtt = config.mqtt
    ? await startMqttIngest({
        url: config.mqtt.url,
        clientId: config.mqtt.clientId,
        topicPrefix: config.mqtt.topicPrefix,
        connections: config.mqtt.connections,
        logger: ports.logger,
        ingest: (b) => monitoring.ingestion.ingest(b),
        awaitPredecessor: (device, seq) => monitoring.ingestion.awaitPredecessor(device, seq),
      })
    : undefined;
  const url = address.replace('127.0.0.1', 'localhost');
  const lines = [
    `Custos is running at ${url} (database: ${config.databaseUrl ? 'PostgreSQL' : `SQLite ${join(config.dataDir, 'custos.db')}`})`,
    `Administrator API token: ${prep.adminTokenPath} (send it as "Authorization: Bearer <token>")`,
    config.demo
      ? `Web app: open ${url}/ and log in as a demo user; list them with: npx custos demo tokens`
      : `Web app: open ${url}/ (create users with POST /api/users)`,
    `API documentation: ${url}/api/docs`,
    `Log: ${url}/log/checkpoint, verifier key ${log.keys.vkey}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let closing: Promise<void> | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    ports.logger.info({ signal }, 'shutting down');
    void close().then(() => process.exit(0));
  };
  const close = () => {
    closing ??= (async () => {
      // A server closed in-process (tests start many in one worker) leaves no signal listener
      // behind: they piled up past Node's MaxListeners warning and kept every closed server alive.
      for (const signal of SIGNALS) process.off(signal, onSignal);
      clearInterval(evaluator);
      await federation.delivery.stop();
      await federation.witness.stop();
      await mqtt?.stop(); // the batches in hand commit and are acknowledged first (a few seconds at most)
      await app.close(); // stops accepting, waits for in-flight requests
      await intake?.stop();
      await cok.stop();
      await notifications.stop();
      await log.stop();
      await ports.db.close();
    })();
    return closing;
  };
  for (const signal of SIGNALS) process.once(signal, onSignal);
  return { close, url };
}
