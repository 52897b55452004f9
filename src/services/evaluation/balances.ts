import {
  type DatedAlarm,
  DEFAULT_PAGE,
  deadlinePassedBefore,
  evaluateSums,
  type FlowCell,
  type MbaEvaluation,
  type MbaSums,
} from '../../domain/accounting/index.js';
import { DomainError } from '../../domain/errors.js';
import type { Principal } from '../../domain/policy/index.js';
import type { ElementCode } from '../../domain/reports/index.js';
import {
  type MbaFacts,
  readCells,
  readInventories,
  readMbaFacts,
  readPits,
} from '../../store/accounting.repo.js';
import type { DbOrTx } from '../../store/db.js';
import { readMarks } from '../../store/eval-marks.repo.js';
import { COUNT_KIND, readCounts, sumCounts } from '../../store/transfer-counts.repo.js';
import type { Ports } from '../ports.js';
import { enforce, scopeOf } from '../scope.js';
import { createByteCache } from './cache.js';

/** One MBA evaluated from the derived state, with its transfer and notice alarms. */
export interface StoredEvaluation {
  readonly facts: MbaFacts;
  readonly evaluation: MbaEvaluation;
}

/** The MBA's sums as stored: cells of closed periods mapped to their period, the rest outside. */
export async function readMbaSums(q: DbOrTx, mba: string): Promise<MbaSums> {
  const [pits, cells, inventories] = await Promise.all([
    readPits(q, mba),
    readCells(q, mba),
    readInventories(q, mba),
  ]);
  const periodOfPit = new Map(pits.map((d, j) => [d, j - 1]));
  const flows: FlowCell[] = cells.map((c) => ({
    ...c,
    period: c.bucket.startsWith('p') ? (periodOfPit.get(c.bucket.slice(1)) ?? -1) : -1,
  }));
  return { pits, inventories, cells: flows, orphans: [] };
}

const ALARM_OF_KIND: Record<number, DatedAlarm['code']> = {
  [COUNT_KIND.lone]: 'TRANSFER_UNMATCHED',
  [COUNT_KIND.discrepant]: 'SRD_3SIGMA',
  [COUNT_KIND.noticeMissing]: 'NOTICE_MISSING',
  [COUNT_KIND.noticeLate]: 'NOTICE_LATE',
};

/**
 * The transfer and notice alarms of an MBA on `asOf` as its balance takes them: grouped by date,
 * element and code (DatedAlarm.count), in that order. Read from the maintained counts (a row per
 * day, element and kind, docs/decisions/0016); a lone line alarms once its deadline has passed.
 */
export async function readTransferAlarmGroups(q: DbOrTx, mba: string, asOf: string): Promise<DatedAlarm[]> {
  // Lone lines alarm once past their deadline: dated before deadlinePassedBefore(asOf).
  const before = deadlinePassedBefore(asOf);
  const rows = (await readCounts(q, [mba], Object.keys(ALARM_OF_KIND).map(Number))).filter(
    (r) => r.kind !== COUNT_KIND.lone || r.day < before,
  );
  const out = rows.map((r) => ({ date: r.day, element: r.element, code: ALARM_OF_KIND[r.kind]!, n: r.n }));
  out.sort((a, b) =>
    a.date < b.date
      ? -1
      : a.date > b.date
        ? 1
        : a.element < b.element
          ? -1
          : a.element > b.element
            ? 1
            : a.code < b.code
              ? -1
              : a.code > b.code
                ? 1
                : 0,
  );
  return out.map((r) => ({
    date: r.date,
    element: r.element as ElementCode,
    code: r.code,
    ...(r.n === 1 ? {} : { count: r.n }),
  }));
}

/**
 * How many transfer and notice alarms each of `mbas` has on `asOf`, per code: the maintained
 * counts readTransferAlarmGroups groups, read for many MBAs at once (the alarm list's segments).
 */
export async function countTransferAlarms(
  q: DbOrTx,
  mbas: readonly string[],
  asOf: string,
): Promise<Map<string, Map<string, number>>> {
  const out = new Map<string, Map<string, number>>();
  const kinds = Object.keys(ALARM_OF_KIND).map(Number);
  for (let i = 0; i < mbas.length; i += 500) {
    // Summed in SQL per MBA and kind: totals, not a row per day of every MBA's history.
    for (const r of await sumCounts(q, mbas.slice(i, i + 500), kinds, deadlinePassedBefore(asOf))) {
      if (r.kind === COUNT_KIND.lone && !r.past) continue;
      const code = ALARM_OF_KIND[r.kind]!;
      const byCode = out.get(r.mba) ?? new Map<string, number>();
      byCode.set(code, (byCode.get(code) ?? 0) + r.n);
      out.set(r.mba, byCode);
    }
  }
  return out;
}

/** A rough size of an evaluation in memory, for the cache bound: per period, covariance, alarms. */
function sizeOf(e: StoredEvaluation): number {
  let bytes = 2048 + e.evaluation.openAlarms.length * 200;
  for (const el of e.evaluation.elements) {
    const n = el.periods.length;
    bytes += 512 + n * 1500 + n * n * 24;
  }
  return bytes;
}

/**
 * Evaluates MBAs from the derived state (docs/decisions/0010): a few indexed reads of
 * O(periods × strata) rows and the statistics, never the lines. Evaluations are cached within
 * a byte bound (CUSTOS_EVAL_CACHE_MB), tagged with the MBA's change mark (decision 0108: bumped
 * by every write to what it is evaluated from, a partner's pairing or a notice included) and the
 * date (a new day ends grace periods): a report elsewhere leaves it cached.
 */
export function createMbaEvaluator(ports: Pick<Ports, 'db' | 'clock' | 'config'>) {
  const cache = createByteCache<StoredEvaluation>(ports.config.evalCacheBytes);
  const page = { ...DEFAULT_PAGE, h: ports.config.pageH };
  const today = (): string => ports.clock.now().toISOString().slice(0, 10);

  async function evaluateFacts(facts: MbaFacts, mark: number, asOf: string): Promise<StoredEvaluation> {
    // Registry edits are not logged: the MBA's facts (state, kind, KMP errors) are part of the tag.
    const tag = `${mark}|${asOf}|${ports.config.pageH}|${JSON.stringify(facts)}`;
    const hit = cache.get(facts.code, tag);
    if (hit !== undefined) return hit;
    const q = ports.db.kysely;
    const [sums, own] = await Promise.all([
      readMbaSums(q, facts.code),
      readTransferAlarmGroups(q, facts.code, asOf),
    ]);
    const evaluation = evaluateSums(sums, {
      mba: facts.code,
      kmpErrors: facts.kmpErrors,
      transferAlarms: own,
      page,
      itemMba: facts.itemMba,
    });
    const out = { facts, evaluation };
    cache.set(facts.code, tag, out, sizeOf(out));
    return out;
  }

  /**
   * The MBAs' facts with their change marks, read before their sums: a change committed between
   * the two reads is then seen with the older mark, and the next read evaluates again.
   */
  async function factsWithMarks(codes?: readonly string[]) {
    const q = ports.db.kysely;
    const marks = await readMarks(q, codes);
    const facts = await readMbaFacts(q, codes);
    return facts.map((f) => ({ facts: f, mark: marks.get(f.code) ?? 0 }));
  }

  return {
    cache,
    asOf: today,
    /** Every registered MBA (or those given), evaluated one after the other. */
    async *evaluateEach(codes?: readonly string[]): AsyncGenerator<StoredEvaluation> {
      const asOf = today();
      for (const { facts, mark } of await factsWithMarks(codes)) yield evaluateFacts(facts, mark, asOf);
    },
    async evaluate(code: string): Promise<StoredEvaluation | undefined> {
      const [one] = await factsWithMarks([code]);
      if (one === undefined) return undefined;
      return evaluateFacts(one.facts, one.mark, today());
    },
  };
}

export type MbaEvaluator = ReturnType<typeof createMbaEvaluator>;

/** GET /api/mbas/:code/balances?element=E — the shape, grams as numbers. */
export function createBalances(ports: Pick<Ports, 'db' | 'config'>, evaluator: MbaEvaluator) {
  return async function balances(p: Principal, code: string, element: ElementCode | undefined) {
    const stored = await evaluator.evaluate(code);
    enforce(p, 'data.read', await scopeOf(ports, p), { state: stored?.facts.state ?? '\0' });
    if (stored === undefined) throw new DomainError('NOT_FOUND', 'no such resource');
    const ev = stored.evaluation;
    const elements = ev.elements.filter((e) => element === undefined || e.element === element);
    const pick = elements[0];
    return {
      mba: stored.facts.code,
      element: pick?.element ?? element ?? null,
      category: pick?.category ?? null,
      significantQuantity: pick?.sq ?? null,
      timelinessMonths: pick?.timelinessMonths ?? null,
      page: { k: DEFAULT_PAGE.k, h: ports.config.pageH },
      sigmaModel:
        'σMUF² sums, per KMP, δr²·Σx² (random) and δs²·(Σ±x)² (systematic); an inventory KMP’s systematic error is shared by PB and PE: δr²(PB²+PE²) + δs²(PB−PE)².',
      elements: ev.elements.map((e) => e.element),
      periods: (pick?.periods ?? []).map((x) => ({
        from: x.from,
        to: x.to,
        pb: x.pb,
        increases: x.increases,
        decreases: x.decreases,
        be: x.be,
        srd: x.srd,
        bea: x.bea,
        pe: x.pe,
        muf: x.muf,
        sigmaMuf: x.sigmaMuf,
        sitmuf: x.sitmuf,
        cumuf: x.cumuf,
        page: x.page,
        alarms: x.alarms,
        fissile: x.fissile,
      })),
      orphans: ev.orphans,
    };
  };
}
