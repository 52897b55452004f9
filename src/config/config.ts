import { hostname } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import { DomainError } from '../domain/errors.js';

/**
 * Configuration comes only from environment variables (README lists every one). An invalid value
 * stops the start with a message naming the variable; nothing falls back silently.
 */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  /** Unset: SQLite at <dataDir>/custos.db. */
  readonly databaseUrl: string | undefined;
  readonly demo: boolean;
  readonly logOrigin: string;
  readonly checkpointMs: number;
  readonly logPublic: boolean;
  readonly bodyLimitBytes: number;
  readonly logLevel: string;
  readonly witnesses: readonly string[];
  readonly witnessQuorum: number;
  readonly witnessedLogs: readonly string[];
  readonly pageH: number;
  readonly scryptLog2N: number;
  readonly schedulerMs: number;
  /** Bound of the cache of evaluated balances, bytes (docs/decisions/0010). */
  readonly evalCacheBytes: number;
  /**
   * Reports whose body has at least this many bytes are examined and stored on the intake thread
   * (SQLite on disk, `custos serve`; decision 0078); 0 = never.
   */
  readonly intakeThreadBytes: number;
  /** Behind a TLS-terminating proxy: trust X-Forwarded-* (the session cookie becomes Secure). */
  readonly trustProxy: boolean;
  /** The app's origin (scheme://host[:port]) for the CSRF check; unset: the request's own. */
  readonly publicOrigin: string | undefined;
  /** Set: GET /metrics wants `Authorization: Bearer <this>`; unset: /metrics is public. */
  readonly metricsToken: string | undefined;
  /**
   * Monitoring devices over MQTT (issue 18 §3, decision 0030): the broker to subscribe to, the
   * client id (stable across restarts: the broker keeps the session and redelivers what was not
   * acknowledged), the topic prefix (`<prefix>/<device>/batches`), how many connections share
   * the topics (each has up to 64 batches in hand: decisions 0037, 0041), and the
   * period of the continuity-of-knowledge timer.
   */
  readonly mqtt:
    | {
        readonly url: string;
        readonly clientId: string;
        readonly topicPrefix: string;
        readonly connections: number;
      }
    | undefined;
  readonly cokTimerMs: number;
  /** How often this node witnesses its peers' logs and exchanges checkpoints with them (decision 0043). */
  readonly federationWitnessMs: number;
  /** Webhook targets on loopback/private/link-local addresses are refused unless this is set (tests). */
  readonly webhookAllowPrivate: boolean;
  /** HTTPS served by Custos itself (server/tls.ts); unset: plain HTTP (e.g. behind a TLS proxy). */
  readonly tls:
    | {
        readonly certFile: string;
        readonly keyFile: string;
        readonly clientCaFile: string | undefined;
        /** Path prefixes that need a client certificate issued by clientCaFile. */
        readonly clientCertRoutes: readonly string[];
      }
    | undefined;
  /** Password-guessing limits (decision 0022). */
  readonly loginLimits: {
    readonly backoffAfter: number;
    readonly addressFailures: number;
    readonly loginFailures: number;
  };
  /** Per principal (decision 0023): submissions and refusals a minute, refusals logged one by one an hour. */
  readonly submitLimits: {
    readonly perMinute: number;
    readonly refusalsPerMinute: number;
    readonly refusalsLoggedPerHour: number;
  };
}

type Env = Readonly<Record<string, string | undefined>>;

function invalid(name: string, value: string, expected: string): never {
  throw new DomainError(
    'CONFIG_INVALID',
    `${name}=${JSON.stringify(value)} is invalid: expected ${expected}`,
    {
      variable: name,
    },
  );
}

function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) invalid(name, raw, `an integer between ${min} and ${max}`);
  const value = Number(raw);
  if (value < min || value > max) invalid(name, raw, `an integer between ${min} and ${max}`);
  return value;
}

function readFlag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === '1' || raw === 'true') return true;
  if (raw === '0' || raw === 'false') return false;
  return invalid(name, raw, '1 or 0');
}

function readList(env: Env, name: string): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function loadConfig(env: Env, cwd: string): Config {
  const dataDirRaw = env.CUSTOS_DATA_DIR && env.CUSTOS_DATA_DIR !== '' ? env.CUSTOS_DATA_DIR : './data';
  const dataDir = isAbsolute(dataDirRaw) ? dataDirRaw : resolve(cwd, dataDirRaw);
  const databaseUrl =
    env.CUSTOS_DATABASE_URL && env.CUSTOS_DATABASE_URL !== '' ? env.CUSTOS_DATABASE_URL : undefined;
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    invalid('CUSTOS_DATABASE_URL', databaseUrl, 'a postgres:// or postgresql:// URL');
  }
  const host = env.CUSTOS_HOST && env.CUSTOS_HOST !== '' ? env.CUSTOS_HOST : '127.0.0.1';
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(host)) invalid('CUSTOS_HOST', host, 'a host name or IP address');
  const logOrigin =
    env.CUSTOS_LOG_ORIGIN && env.CUSTOS_LOG_ORIGIN !== '' ? env.CUSTOS_LOG_ORIGIN : 'custos.localhost/log';
  // C2SP tlog-checkpoint: the origin is a non-empty line of printable characters without spaces or '+'.
  if (!/^[\x21-\x2A\x2C-\x7E]+$/.test(logOrigin)) {
    invalid('CUSTOS_LOG_ORIGIN', logOrigin, 'printable ASCII without spaces or "+" (e.g. example.org/log)');
  }
  const logLevel = env.CUSTOS_LOG_LEVEL && env.CUSTOS_LOG_LEVEL !== '' ? env.CUSTOS_LOG_LEVEL : 'info';
  if (!LOG_LEVELS.includes(logLevel)) invalid('CUSTOS_LOG_LEVEL', logLevel, LOG_LEVELS.join(', '));
  const witnesses = readList(env, 'CUSTOS_WITNESSES');
  for (const w of witnesses) {
    if (!/^https?:\/\/[^|]+\|.+$/.test(w)) invalid('CUSTOS_WITNESSES', w, '<http(s) url>|<verifier key>');
  }
  const witnessQuorum = readInt(env, 'CUSTOS_WITNESS_QUORUM', 0, 0, 100);
  if (witnessQuorum > witnesses.length) {
    invalid(
      'CUSTOS_WITNESS_QUORUM',
      String(witnessQuorum),
      `at most the number of witnesses (${witnesses.length})`,
    );
  }
  const pageRaw = env.CUSTOS_PAGE_H;
  let pageH = 5;
  if (pageRaw !== undefined && pageRaw !== '') {
    pageH = Number(pageRaw);
    if (!/^\d+(\.\d+)?$/.test(pageRaw) || pageH <= 0 || pageH > 100)
      invalid('CUSTOS_PAGE_H', pageRaw, 'a number in (0, 100]');
  }
  const publicOrigin =
    env.CUSTOS_PUBLIC_ORIGIN && env.CUSTOS_PUBLIC_ORIGIN !== '' ? env.CUSTOS_PUBLIC_ORIGIN : undefined;
  if (publicOrigin !== undefined && !/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(publicOrigin))
    invalid(
      'CUSTOS_PUBLIC_ORIGIN',
      publicOrigin,
      'scheme://host[:port] without a path, e.g. https://custos.example.org',
    );
  const metricsToken =
    env.CUSTOS_METRICS_TOKEN && env.CUSTOS_METRICS_TOKEN !== '' ? env.CUSTOS_METRICS_TOKEN : undefined;
  if (metricsToken !== undefined && !/^[A-Za-z0-9_-]{16,200}$/.test(metricsToken))
    invalid('CUSTOS_METRICS_TOKEN', '…', '16 to 200 characters of A-Z a-z 0-9 _ -');
  const port = readInt(env, 'CUSTOS_PORT', 8080, 0, 65535);
  return {
    mqtt: readMqtt(env, port),
    cokTimerMs: readInt(env, 'CUSTOS_COK_TIMER_MS', 1000, 50, 3_600_000),
    federationWitnessMs: readInt(env, 'CUSTOS_FEDERATION_WITNESS_MS', 30_000, 100, 86_400_000),
    trustProxy: readFlag(env, 'CUSTOS_TRUST_PROXY', false),
    publicOrigin,
    metricsToken,
    webhookAllowPrivate: readFlag(env, 'CUSTOS_WEBHOOK_ALLOW_PRIVATE', false),
    tls: readTls(env, cwd),
    port,
    host,
    dataDir,
    databaseUrl,
    demo: readFlag(env, 'CUSTOS_DEMO', true),
    logOrigin,
    checkpointMs: readInt(env, 'CUSTOS_CHECKPOINT_MS', 1000, 10, 3_600_000),
    logPublic: readFlag(env, 'CUSTOS_LOG_PUBLIC', true),
    bodyLimitBytes: readInt(env, 'CUSTOS_BODY_LIMIT_MB', 64, 1, 1024) * 1024 * 1024,
    logLevel,
    witnesses,
    witnessQuorum,
    witnessedLogs: readList(env, 'CUSTOS_WITNESSED_LOGS'),
    pageH,
    scryptLog2N: readInt(env, 'CUSTOS_SCRYPT_LOG2N', 15, 10, 20),
    schedulerMs: readInt(env, 'CUSTOS_SCHEDULER_MS', 60_000, 50, 86_400_000),
    evalCacheBytes: readInt(env, 'CUSTOS_EVAL_CACHE_MB', 64, 0, 4096) * 1024 * 1024,
    intakeThreadBytes: readInt(env, 'CUSTOS_INTAKE_THREAD_KB', 4096, 0, 1_048_576) * 1024,
    loginLimits: {
      backoffAfter: readInt(env, 'CUSTOS_LOGIN_BACKOFF_AFTER', 5, 1, 100),
      addressFailures: readInt(env, 'CUSTOS_LOGIN_ADDRESS_FAILURES', 100, 1, 100_000),
      loginFailures: readInt(env, 'CUSTOS_LOGIN_ACCOUNT_FAILURES', 50, 1, 100_000),
    },
    submitLimits: {
      perMinute: readInt(env, 'CUSTOS_SUBMIT_PER_MINUTE', 6000, 1, 1_000_000),
      refusalsPerMinute: readInt(env, 'CUSTOS_REFUSALS_PER_MINUTE', 60, 1, 1_000_000),
      refusalsLoggedPerHour: readInt(env, 'CUSTOS_REFUSALS_LOGGED_PER_HOUR', 20, 0, 1_000_000),
    },
  };
}

function readMqtt(env: Env, port: number): Config['mqtt'] {
  const url = env.CUSTOS_MQTT_URL;
  if (url === undefined || url === '') return undefined;
  if (!/^mqtts?:\/\/[^\s/]+(:\d{1,5})?\/?$/.test(url))
    invalid('CUSTOS_MQTT_URL', url, 'mqtt://host:port or mqtts://host:port');
  const clientId = env.CUSTOS_MQTT_CLIENT_ID || `custos-${hostname()}-${port}`;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(clientId))
    invalid('CUSTOS_MQTT_CLIENT_ID', clientId, '1 to 64 characters of A-Z a-z 0-9 . _ -');
  const topicPrefix = env.CUSTOS_MQTT_TOPIC_PREFIX || 'custos/devices';
  // Topic levels without wildcards; the device id is the level after the prefix.
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(topicPrefix) || topicPrefix.length > 200)
    invalid('CUSTOS_MQTT_TOPIC_PREFIX', topicPrefix, 'topic levels of A-Z a-z 0-9 . _ - separated by /');
  const connections = readInt(env, 'CUSTOS_MQTT_CONNECTIONS', 16, 1, 256);
  return { url, clientId, topicPrefix, connections };
}

function readTls(env: Env, cwd: string): Config['tls'] {
  const path = (name: string) => {
    const raw = env[name];
    return raw === undefined || raw === '' ? undefined : isAbsolute(raw) ? raw : resolve(cwd, raw);
  };
  const certFile = path('CUSTOS_TLS_CERT');
  const keyFile = path('CUSTOS_TLS_KEY');
  const clientCaFile = path('CUSTOS_TLS_CLIENT_CA');
  const clientCertRoutes = readList(env, 'CUSTOS_TLS_CLIENT_CERT_ROUTES');
  if (certFile === undefined && keyFile === undefined) {
    if (clientCaFile !== undefined || clientCertRoutes.length > 0)
      invalid(
        'CUSTOS_TLS_CLIENT_CA',
        env.CUSTOS_TLS_CLIENT_CA ?? '',
        'unset unless CUSTOS_TLS_CERT and CUSTOS_TLS_KEY are set',
      );
    return undefined;
  }
  if (certFile === undefined)
    invalid('CUSTOS_TLS_CERT', '', 'a PEM certificate file (CUSTOS_TLS_KEY is set)');
  if (keyFile === undefined) invalid('CUSTOS_TLS_KEY', '', 'a PEM private key file (CUSTOS_TLS_CERT is set)');
  for (const r of clientCertRoutes)
    if (!/^\/[A-Za-z0-9/_.-]*$/.test(r))
      invalid('CUSTOS_TLS_CLIENT_CERT_ROUTES', r, 'path prefixes starting with /');
  if (clientCertRoutes.length > 0 && clientCaFile === undefined)
    invalid(
      'CUSTOS_TLS_CLIENT_CERT_ROUTES',
      clientCertRoutes.join(','),
      'a CUSTOS_TLS_CLIENT_CA to check certificates against',
    );
  return { certFile, keyFile, clientCaFile, clientCertRoutes };
}
