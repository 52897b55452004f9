import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createChainFixture } from '../../src/domain/federation/bundle.test-support.js';
import { formatProvenanceChain } from '../../src/domain/federation/index.js';
import { detectSplitView, formatSplitViewEvidence } from '../../src/log/index.js';
import { createMemoryLog } from '../../src/log/testdata/memory-log.js';
import { custos, errorLine } from './harness.js';

/**
 * Issue 17 item 5 (decision 0028), black box: `custos proof verify-split-view` checks evidence
 * files offline, exit 0 only when they prove that the log signed two inconsistent checkpoints.
 */
describe('custos proof verify-split-view', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'custos-fed-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  const ORIGIN = 'regional.test/log';
  const honest = createMemoryLog(ORIGIN, 7);
  const fork = createMemoryLog(ORIGIN, 7);
  for (let i = 0; i < 12; i++) honest.append(new TextEncoder().encode(`entry ${i}`));
  for (let i = 0; i < 7; i++) fork.append(new TextEncoder().encode(i < 3 ? `entry ${i}` : `rewritten ${i}`));

  it('exit 0 for a rewritten history caught by the honest proof; the key may be a file', async () => {
    const v = detectSplitView(
      await fork.checkpoint(),
      await honest.checkpoint(),
      honest.vkey,
      await honest.consistency(7, 12),
    );
    if (v.kind !== 'equivocation') return expect.fail(`not caught: ${v.kind}`);
    const evidence = file('split.json', formatSplitViewEvidence(v.evidence));
    const r = await custos([
      'proof',
      'verify-split-view',
      evidence,
      '--key',
      file('log.vkey', `${honest.vkey}\n`),
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('sizes 7 and 12');
    expect(r.stdout).toContain('SPLIT VIEW PROVEN');
  });

  it('non-zero with a clear code otherwise: consistent, not the log key, malformed, another log', async () => {
    const consistent = file(
      'consistent.json',
      formatSplitViewEvidence({
        origin: ORIGIN,
        checkpoints: [await honest.checkpoint(7), await honest.checkpoint()],
        proof: await honest.consistency(7, 12),
      }),
    );
    const r1 = await custos(['proof', 'verify-split-view', consistent, '--key', honest.vkey]);
    expect(r1.status).toBe(3);
    expect(errorLine(r1)).toMatchObject({ code: 'LOG_PROOF_INVALID' });
    expect(errorLine(r1).message).toContain('consistent');

    const stranger = createMemoryLog(ORIGIN, 9);
    stranger.append(new TextEncoder().encode('x'));
    const unsigned = file(
      'unsigned.json',
      formatSplitViewEvidence({
        origin: ORIGIN,
        checkpoints: [await honest.checkpoint(1), await stranger.checkpoint()],
      }),
    );
    const r2 = await custos(['proof', 'verify-split-view', unsigned, '--key', honest.vkey]);
    expect(r2.status).toBe(3);
    expect(errorLine(r2).code).toBe('LOG_SIGNATURE_INVALID');

    const r3 = await custos([
      'proof',
      'verify-split-view',
      file('garbage.json', '{"type":"nope"}'),
      '--key',
      honest.vkey,
    ]);
    expect(r3.status).toBe(3);
    expect(errorLine(r3).code).toBe('LOG_MALFORMED');

    const other = createMemoryLog('agency.test/log', 7);
    const r4 = await custos(['proof', 'verify-split-view', consistent, '--key', other.vkey]);
    expect(r4.status).toBe(3);
    expect(errorLine(r4).code).toBe('LOG_UNKNOWN_ORIGIN');

    const r5 = await custos(['proof', 'verify-split-view', join(dir, 'missing.json'), '--key', honest.vkey]);
    expect(r5.status).toBe(5);
    expect(errorLine(r5).code).toBe('NOT_FOUND');
  });
});

/**
 * Issue 17 item 3 (decision 0028), black box: `custos proof verify` checks a forwarded record's
 * provenance chain offline: the state's signature → the source node's log → the receiver's log.
 */
describe('custos proof verify <provenance chain>', { timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'custos-fed-chain-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exit 0 for an intact chain; exit 3 naming the failing link for a forged one', async () => {
    const { chain, r, a } = await createChainFixture();
    const path = join(dir, 'chain.json');
    writeFileSync(path, formatProvenanceChain(chain));
    const ok = await custos(['proof', 'verify', path, '--key', a.log.vkey, '--source-key', r.log.vkey]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('record XA-M1:ICR:1 (report) is entry 1 of regional.test/log');
    expect(ok.stdout).toContain('PROVENANCE CHAIN VERIFIED');

    const forged = await createChainFixture({ forgedBy: new Uint8Array(32).fill(66) });
    const bad = join(dir, 'forged.json');
    writeFileSync(bad, formatProvenanceChain(forged.chain));
    const no = await custos([
      'proof',
      'verify',
      bad,
      '--key',
      forged.a.log.vkey,
      '--source-key',
      forged.r.log.vkey,
    ]);
    expect(no.status).toBe(3);
    expect(errorLine(no)).toMatchObject({ code: 'SIGNATURE_INVALID' });
    expect(errorLine(no).message).toContain('STATE_SIGNATURE_INVALID at source');

    const missing = await custos(['proof', 'verify', path, '--key', a.log.vkey]);
    expect(missing.status).toBe(2);
    expect(errorLine(missing).code).toBe('BAD_REQUEST');
  });
});
