/**
 * Runs bench/cases.bench.ts (written by the cases engineer, exporting benchCases()) in its own
 * process and normalises its figures: `target` may be a number, "≤ 50" style text or {op, value}.
 */
import { emit, type Figure, type Target } from './lib.js';

interface CaseFigure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: unknown;
  readonly note?: string;
}

const LOWER_IS_BETTER = /^(ms|s|µs|us|MB|kB|KB|B|bytes)$/;

function normalise(unit: string, target: unknown): Target | undefined {
  if (typeof target === 'number') return { op: LOWER_IS_BETTER.test(unit) ? '<=' : '>=', value: target };
  if (typeof target === 'string') {
    const m = /(<=|>=|≤|≥)?\s*([\d.,_ ]+)/.exec(target);
    if (!m) return undefined;
    const value = Number((m[2] as string).replace(/[,_ ]/g, ''));
    const op = m[1] === '>=' || m[1] === '≥' ? '>=' : m[1] ? '<=' : LOWER_IS_BETTER.test(unit) ? '<=' : '>=';
    return { op, value };
  }
  if (target && typeof target === 'object') {
    const t = target as { op?: unknown; value?: unknown };
    if ((t.op === '<=' || t.op === '>=') && typeof t.value === 'number') return { op: t.op, value: t.value };
  }
  return undefined;
}

const quick = process.argv.includes('--quick');
// A computed specifier: the file is another engineer's and may not exist when this is type-checked.
const specifier = './cases.bench.js';
const mod = (await import(specifier)) as {
  benchCases: (opts?: { quick?: boolean }) => Promise<CaseFigure[]> | CaseFigure[];
};
const raw = await mod.benchCases({ quick });
const figures: Figure[] = raw.map((f) => {
  const target = normalise(f.unit, f.target);
  return {
    section: 'cases',
    name: f.name,
    value: typeof f.value === 'number' ? f.value : undefined,
    unit: f.unit,
    ...(target ? { target } : {}),
    ...(f.note ? { note: f.note } : {}),
  };
});
emit(figures);
process.exit(0);
