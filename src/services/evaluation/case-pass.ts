import { deadlinePassedBefore } from '../../domain/accounting/index.js';
import type { CaseAlarm } from '../../domain/cases/index.js';
import type { ElementCode } from '../../domain/reports/index.js';
import { readMbaFacts } from '../../store/accounting.repo.js';
import { walkTransferAlarms } from '../../store/alarms.repo.js';
import { Pacer } from '../../store/bulk.js';
import { countDeclarations, pageCrossCheckFindings } from '../../store/declaration-checks.repo.js';
import { readMarks } from '../../store/eval-marks.repo.js';
import { ensureCaseForAlarm, withCaseKeys } from '../cases/index.js';
import type { Ports } from '../ports.js';
import { ALL, type AlarmView, alarmViewsOf, crossCheckCutoffs, viewOfRow } from './alarms.js';
import type { MbaEvaluator } from './balances.js';

/**
 * What the last complete pass saw (decision 0108): its day, each MBA's change mark with its
 * registry facts, and how many declarations were stored. One entry per registered MBA: bounded by
 * the registry, not by what its MBAs hold.
 */
interface PassMemo {
  readonly day: string;
  readonly mbas: ReadonlyMap<string, string>;
  readonly declarations: number;
}

/**
 * The pass that opens one case per alarm cause (cases issue), run every few seconds by the server
 * (server/main.ts): idempotent through the case key, so re-evaluation never duplicates. Sequence
 * alarms (Page, CUMUF) open one case at their first firing; a notice finding opens one per
 * transfer line and finding.
 *
 * An MBA's alarms are a function of its derived state (its change mark, bumped by every write to
 * it: its own reports, a partner's pairing, a notice), its registry facts and the day; the
 * declarations' findings of the declarations stored and the day. So within a day a pass
 * evaluates and walks only the MBAs whose mark or facts moved since the last complete pass, and
 * the declarations only when one was added; the first pass of a process and of each day is whole.
 */
export function createCasePass(ports: Ports, evaluator: MbaEvaluator) {
  /** Case keys opened or found open, bounded: openCaseForAlarm is idempotent, this only saves calls. */
  const handled = new Set<string>();
  let running = false;
  let memo: PassMemo | undefined;

  /** Opens a case for each of `alarms` (in order) that has none (withCaseKeys: asked per 500). */
  async function openFor(alarms: readonly CaseAlarm[]): Promise<number> {
    let opened = 0;
    const items = alarms.map((alarm) => ({ alarm }));
    for await (const { item, key, taken } of withCaseKeys(ports, items, (k) => handled.has(k))) {
      try {
        if (!taken && (await ensureCaseForAlarm(ports, item.alarm))) opened++;
        if (handled.size >= 100_000) handled.clear();
        handled.add(key);
      } catch (err) {
        ports.logger.warn({ err: (err as Error).message, alarm: key }, 'could not open a case for an alarm');
      }
    }
    return opened;
  }

  /** Opens the cases of the declarations' cross-check findings, a page at a time. */
  async function openDeclarationCases(asOf: string): Promise<number> {
    let opened = 0;
    const c = crossCheckCutoffs(asOf);
    for (let offset = 0; ; offset += ALL.limit) {
      const page = await pageCrossCheckFindings(ports.db.kysely, c, { states: 'all' }, { ...ALL, offset });
      opened += await openFor(
        page.map(
          (f): CaseAlarm => ({
            source: 'declaration',
            check: f.code.startsWith('ANNEX_II') ? 'annex-ii' : 'source-material',
            finding: f.code.endsWith('DISCREPANT') ? 'discrepant' : 'unmatched',
            state: f.state,
            item: f.ref,
          }),
        ),
      );
      if (page.length < ALL.limit) return opened;
    }
  }

  /**
   * Opens the cases of the alarms of `mbas` (undefined: every MBA). An MBA's balance alarms (a few
   * per period) go in date order, so a sequence test opens its case at its first firing; its
   * transfer and notice alarms are walked in the list's order a statement at a time, so the run
   * holds one statement's alarms whatever an MBA has accumulated.
   */
  async function openMbaCases(mbas: readonly string[] | undefined, asOf: string): Promise<number> {
    let opened = 0;
    // Background work: the event loop gets a turn between MBAs too, not only between cases.
    const pacer = new Pacer();
    const before = deadlinePassedBefore(asOf);
    for await (const st of evaluator.evaluateEach(mbas)) {
      if (pacer.due()) await pacer.pause();
      const firstSequence = new Set<string>();
      const causes = (views: readonly AlarmView[]) =>
        views.flatMap((a) => toCaseAlarm(a, firstSequence) ?? []);
      const balance = alarmViewsOf(st, []).sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
      opened += await openFor(causes(balance));
      const m = { mba: st.facts.code, state: st.facts.state };
      for await (const rows of walkTransferAlarms(ports.db.kysely, m, undefined, before)) {
        opened += await openFor(causes(rows.map(viewOfRow)));
        // Within an MBA too: standing alarms whose cases exist open nothing, and only opening a
        // case paused (decision 0100).
        if (pacer.due()) await pacer.pause();
      }
    }
    return opened;
  }

  /** Where the MBAs and the declarations stand now: read before anything the pass evaluates. */
  async function standing(day: string): Promise<PassMemo> {
    const q = ports.db.kysely;
    const marks = await readMarks(q);
    const facts = await readMbaFacts(q);
    return {
      day,
      mbas: new Map(facts.map((f) => [f.code, `${marks.get(f.code) ?? 0}|${JSON.stringify(f)}`])),
      declarations: await countDeclarations(q),
    };
  }

  return {
    /**
     * One pass; answers how many cases it opened. Never two at once (a run over many MBAs may
     * outlast the interval; runs piling up starved the requests). A pass that throws leaves the
     * memo as it was, so the next one reads the changes since the last complete pass.
     */
    async openCases(): Promise<number> {
      if (running) return 0;
      running = true;
      try {
        const day = evaluator.asOf();
        const now = await standing(day);
        const last = memo?.day === day ? memo : undefined;
        const mbas =
          last === undefined
            ? undefined
            : [...now.mbas].filter(([m, s]) => last.mbas.get(m) !== s).map(([m]) => m);
        const declarations = last === undefined || last.declarations !== now.declarations;
        let opened = 0;
        if (declarations) opened += await openDeclarationCases(day);
        if (mbas === undefined || mbas.length > 0) opened += await openMbaCases(mbas, day);
        memo = now;
        return opened;
      } finally {
        running = false;
      }
    },
  };
}

function toCaseAlarm(a: AlarmView, firstSequence: Set<string>): CaseAlarm | undefined {
  const element = a.element as ElementCode;
  switch (a.code) {
    case 'MUF_3SIGMA':
      return { source: 'balance', test: 'muf-3sigma', state: a.state, mba: a.mba, element, pit: a.date };
    case 'MUF_SQ':
      return { source: 'balance', test: 'muf-sq', state: a.state, mba: a.mba, element, pit: a.date };
    case 'ITEM_MUF':
      return { source: 'balance', test: 'item-muf', state: a.state, mba: a.mba, element, pit: a.date };
    case 'PAGE':
    case 'CUMUF_SQ': {
      const seq = `${a.mba}:${a.element}:${a.code}`;
      if (firstSequence.has(seq)) return undefined;
      firstSequence.add(seq);
      return {
        source: 'sequence',
        test: a.code === 'PAGE' ? 'page' : 'cumuf-sq',
        state: a.state,
        mba: a.mba,
        element,
        pit: a.date,
      };
    }
    case 'SRD_3SIGMA':
      return a.ref ? { source: 'srd', state: a.state, transfer: a.ref } : undefined;
    case 'TRANSFER_UNMATCHED':
      return a.ref ? { source: 'transfer-unmatched', state: a.state, transfer: a.ref } : undefined;
    case 'NOTICE_MISSING':
    case 'NOTICE_LATE':
      return a.ref
        ? {
            source: 'notice',
            finding: a.code === 'NOTICE_MISSING' ? 'missing' : 'late',
            state: a.state,
            transfer: a.ref,
          }
        : undefined;
    default:
      return undefined;
  }
}
