import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './harness.js';

/** Measured figures of a run, one JSON file per suite under test-artifacts/reliability/ (for RELIABILITY.md). */
export function recordFigure(name: string, figures: Record<string, unknown>): void {
  const dir = join(ROOT, 'test-artifacts', 'reliability');
  mkdirSync(dir, { recursive: true });
  const body = { name, at: new Date().toISOString(), ...figures };
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(body, null, 2)}\n`);
  process.stdout.write(`[reliability] ${JSON.stringify(body)}\n`);
}
