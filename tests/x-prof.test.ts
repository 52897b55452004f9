import { it } from 'vitest';
import { createMonitoringService } from '../src/services/monitoring/index.js';
import { loadDevices, signChain } from './reliability/device-load.js';
import { createTestApp } from './fixtures/app.js';
import { ed25519PublicKey, encodeBase64 } from '../src/log/index.js';
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';

it('prof', async () => {
  const t = await createTestApp('sqlite', { demo: true });
  const devs = loadDevices('P', 64);
  for (const d of devs) {
    const r = await t.app.inject({ method: 'POST', url: '/api/devices', headers: { authorization: `Bearer ${t.adminToken}` }, payload: { id: d.id, kind: 'radiation-monitor', facility: 'XA-STO', owners: ['agency'], publicKey: encodeBase64(ed25519PublicKey(d.seed)), heartbeatSeconds: 3600 } });
    if (r.statusCode !== 201) throw new Error(r.body);
  }
  const m = createMonitoringService(t.ports);
  const now = t.clock.now().getTime();
  const chains = devs.map((d) => signChain(d, 20, 100, now - 30 * 60_000, 100));
  const s = new Session(); s.connect(); await s.post('Profiler.enable'); await s.post('Profiler.start');
  const c0 = process.cpuUsage(); const t0 = performance.now();
  await Promise.all(devs.map(async (d, i) => { for (const b of chains[i]!) await m.ingestion.ingest({ device: d.id, bytes: b.bytes, signature: b.header, transport: 'http' }); }));
  const ms = performance.now() - t0; const cpu = process.cpuUsage(c0);
  const { profile } = await s.post('Profiler.stop'); writeFileSync('/tmp/x/ingest.cpuprofile', JSON.stringify(profile));
  console.log(`batches ${64*20} in ${ms.toFixed(0)} ms: ${(64*20/ms*1000).toFixed(0)} batches/s; cpu user ${(cpu.user/1000).toFixed(0)} ms sys ${(cpu.system/1000).toFixed(0)} ms`);
  await t.close();
}, 300_000);
