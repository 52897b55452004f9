/**
 * Issue 5 performance. The engine's author measures it with src/domain/accounting/evaluate.bench.ts
 * (1 000 MBAs × 12 periods × 100 lines, re-evaluation after one ICR, 1 M transfers). Its
 * generators are not exported, so rather than copy them we run that very script in a child process
 * and read the figures it prints, plus the child's peak RSS.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Figure, log, ROOT, runChild } from './lib.js';

const S = 'engine';
const SCRIPT = 'src/domain/accounting/evaluate.bench.ts';

function grab(stdout: string, re: RegExp): number | undefined {
  const m = re.exec(stdout);
  return m ? Number(m[1]) : undefined;
}

export async function benchEngine(): Promise<Figure[]> {
  if (!existsSync(join(ROOT, SCRIPT)))
    return [
      { section: S, name: 'Engine benchmarks', value: undefined, unit: '', note: `${SCRIPT} is missing` },
    ];
  log(`engine benchmarks (${SCRIPT})`);
  const out = await runChild(SCRIPT, [], { preload: ['./bench/rss-at-exit.ts'], echo: true });
  const why = out.code === 0 ? 'its output no longer has this line' : `the script exited ${out.code}`;
  const figure = (
    name: string,
    re: RegExp,
    unit: string,
    target: Figure['target'],
    note?: string,
  ): Figure => {
    const value = grab(out.stdout, re);
    return {
      section: S,
      name,
      value,
      unit,
      ...(target ? { target } : {}),
      ...(value === undefined ? { note: `not measured: ${why}` } : note ? { note } : {}),
    };
  };
  const rss = grab(out.stdout, /BENCH_MAXRSS_KB (\d+)/);
  const heap = grab(out.stdout, /heap used: (\d+) MB/);
  const alarms = grab(out.stdout, /alarms raised: (\d+)/);
  const statuses = /statuses: (.*)/.exec(out.stdout)?.[1];
  return [
    figure(
      'Full evaluation: 1 000 MBAs × 12 periods × 100 lines (1.2 M lines) incl. σMUF, SITMUF, Page (pure engine, in memory)',
      /full evaluation[^:]*: (\d+(?:\.\d+)?) ms/,
      'ms',
      { op: '<=', value: 3000 },
      alarms === undefined ? undefined : `${alarms} alarms raised`,
    ),
    figure(
      'Re-evaluation of one MBA after one new ICR (pure engine, mean of 50)',
      /re-evaluation of one MBA after one new ICR: (\d+(?:\.\d+)?) ms/,
      'ms',
      { op: '<=', value: 50 },
    ),
    figure(
      'Matching of 1 M transfers (pure engine, in memory)',
      /matching of 1 M transfers: (\d+(?:\.\d+)?) ms/,
      'ms',
      { op: '<=', value: 3000 },
      statuses,
    ),
    {
      section: S,
      name: 'Engine script peak memory (max RSS; holds 1.2 M lines and 2 M transfer lines at once)',
      value: rss === undefined ? undefined : rss / 1024,
      unit: 'MB',
      note: heap === undefined ? 'no target set' : `heap used at the end ${heap} MB; no target set`,
    },
  ];
}
