import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testMqttUrl } from '../fixtures/mqtt.js';
import { custos, emptyNode, errorLine, type NodeDir, type Serving, serve } from './harness.js';

/**
 * `custos monitor simulate --devices N --rate R` (issue 18 §7) as a black box against a real
 * `custos serve` subscribed to the suites' Mosquitto under a topic prefix of this run: simulated
 * devices register, send signed chained batches over HTTP and over MQTT, and the run ends only
 * once Custos has committed every one of them — over MQTT it says so on each device's answers
 * topic, which is also how a device learns that a batch was refused.
 */
describe('custos monitor simulate against a running node', { timeout: 300_000 }, () => {
  const run = randomBytes(4).toString('hex');
  const topicPrefix = `custos-test-${run}/devices`;
  let node: NodeDir;
  let server: Serving;
  let url: string;
  let token: string;

  const api = async (path: string, body?: unknown) => {
    const res = await fetch(new URL(path, url), {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const simulate = (args: string[]) =>
    custos(['monitor', 'simulate', '--url', url, '--token', token, '--facility', 'XA-FAB', ...args]);
  /** The simulator's summary line. */
  const summary = (stdout: string) =>
    JSON.parse(stdout.trim().split('\n').at(-1) as string) as Record<string, number | string>;
  /** The batches Custos holds for the devices `<prefix>-00001` …: the sum of their last seqs. */
  const stored = async (prefix: string, n: number) => {
    let sum = 0;
    for (let i = 1; i <= n; i++) {
      const s = await api(`/api/devices/${prefix}-${String(i).padStart(5, '0')}/status`);
      expect(s.status).toBe(200);
      expect(s.json.cok).not.toBe('lost');
      sum += s.json.lastSeq as number;
    }
    return sum;
  };

  beforeAll(async () => {
    node = await emptyNode('sqlite');
    server = serve({
      ...node.env,
      CUSTOS_DEMO: '0',
      CUSTOS_MQTT_URL: testMqttUrl(),
      CUSTOS_MQTT_TOPIC_PREFIX: topicPrefix,
      CUSTOS_MQTT_CLIENT_ID: `cli-sim-${run}`,
      CUSTOS_MQTT_CONNECTIONS: '2',
    });
    url = await server.url;
    token = readFileSync(join(node.dataDir, 'admin.token'), 'utf8').trim();
    expect((await api('/api/states', { code: 'XA', name: 'Arcadia' })).status).toBe(201);
    expect(
      (await api('/api/organisations', { id: 'agency', name: 'Agency', kind: 'inspectorate' })).status,
    ).toBe(201);
    const facility = {
      code: 'XA-FAB',
      name: 'Plant',
      type: 'fuel-fabrication',
      state: 'XA',
      latitude: 47,
      longitude: 8,
    };
    expect((await api('/api/facilities', facility)).status).toBe(201);
  });
  afterAll(async () => {
    if (server) expect(await server.stop()).toBe(0);
    await node?.dispose();
  });

  it('drives N devices at rate R over HTTP: every batch committed, chained, none refused', async () => {
    const r = await simulate(['--devices', '4', '--rate', '40', '--duration', '3', '--prefix', 'H']);
    expect(r.status, r.stderr).toBe(0);
    const s = summary(r.stdout);
    expect(s).toMatchObject({ devices: 4, transport: 'http', pending: 0, refused: 0 });
    expect(s.batches).toBeGreaterThan(0);
    expect(s.committed).toBe(s.batches);
    expect(await stored('H', 4)).toBe(s.batches);
  });

  it('drives them over MQTT: the run ends once Custos has answered that each batch is committed', async () => {
    const r = await simulate([
      '--devices',
      '4',
      '--rate',
      '40',
      '--duration',
      '3',
      '--prefix',
      'M',
      '--transport',
      'mqtt',
      '--mqtt-url',
      testMqttUrl(),
      '--topic-prefix',
      topicPrefix,
    ]);
    expect(r.status, r.stderr).toBe(0);
    const s = summary(r.stdout);
    expect(s).toMatchObject({ devices: 4, transport: 'mqtt', pending: 0, unanswered: 0, refused: 0 });
    expect(s.batches).toBeGreaterThan(0);
    expect(s.committed).toBe(s.batches);
    expect(await stored('M', 4)).toBe(s.batches);
  });

  it('a device learns over MQTT that its batch was refused', async () => {
    // Not registered: Custos refuses the batches (DEVICE_UNKNOWN), and answers so.
    const r = await simulate([
      '--devices',
      '2',
      '--rate',
      '10',
      '--duration',
      '2',
      '--prefix',
      'U',
      '--transport',
      'mqtt',
      '--mqtt-url',
      testMqttUrl(),
      '--topic-prefix',
      topicPrefix,
      '--no-register',
    ]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('U-00001: DEVICE_UNKNOWN');
    expect(r.stderr).toContain('U-00002: DEVICE_UNKNOWN');
    expect(summary(r.stdout)).toMatchObject({ committed: 0, refused: 2, unanswered: 0 });
    expect(errorLine(r).code).toBe('UNAVAILABLE');
  });
});
