/**
 * Issue 8 budget: the JavaScript a browser must load before the first screen (the entry script
 * and every chunk it preloads) stays ≤ 300 kB gzipped. The map and charts are lazy chunks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBuilt, ROOT } from './harness.js';

const DIST = join(ROOT, 'web', 'dist');
const BUDGET_BYTES = 300 * 1024;

function initialScripts(html: string): string[] {
  const refs = new Set<string>();
  for (const m of html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g)) refs.add(m[1]!);
  for (const m of html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)) refs.add(m[1]!);
  return [...refs];
}

describe('web bundle budget', () => {
  beforeAll(() => ensureWebBuilt(), 180_000);

  it('loads at most 300 kB of gzipped JavaScript before the first screen', () => {
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    const scripts = initialScripts(html);
    expect(scripts.length).toBeGreaterThan(0);
    let total = 0;
    for (const src of scripts) total += gzipSync(readFileSync(join(DIST, src.replace(/^\//, '')))).length;
    console.info(`initial JS: ${scripts.length} file(s), ${(total / 1024).toFixed(1)} kB gzipped`);
    expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
  });

  it('keeps the world atlas out of the initial scripts', () => {
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    for (const src of initialScripts(html)) {
      expect(readFileSync(join(DIST, src.replace(/^\//, '')), 'utf8')).not.toContain('"countries"');
    }
  });

  it('keeps the chart library (ECharts/zrender) out of the initial scripts', () => {
    const html = readFileSync(join(DIST, 'index.html'), 'utf8');
    for (const src of initialScripts(html)) {
      const js = readFileSync(join(DIST, src.replace(/^\//, '')), 'utf8');
      expect(js).not.toMatch(/zrender|echarts/i);
    }
  });
});
