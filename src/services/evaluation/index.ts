import {
  type AlarmCode,
  addBookLines,
  createMbaBook,
  type DatedAlarm,
  DEFAULT_PAGE,
  evaluateBook,
  type InventoryListing,
  type MbaBook,
  type MbaEvaluation,
  setBookInventories,
  summariseState,
} from '../../domain/accounting/index.js';
import { type CaseAlarm, caseKeyForAlarm } from '../../domain/cases/index.js';
import { DomainError } from '../../domain/errors.js';
import { inScope, type Principal } from '../../domain/policy/index.js';
import type { ElementCode } from '../../domain/reports/index.js';
import {
  allMatches,
  clearTransferLines,
  createTransferBook,
  putTransferLine,
  setTransferNotices,
  settleTransfers,
  type TransferLine,
  type TransferMatch,
  transferAlarmsOf,
} from '../../domain/transfers/index.js';
import type { Page, PageRequest } from '../../store/paging.js';
import { openCaseForAlarm } from '../cases/index.js';
import { pageInMemory, type SortValue } from '../page-memory.js';
import type { Ports } from '../ports.js';
import { enforce, scopeOf } from '../scope.js';
import { loadNotices, loadRegistry, loadReports, type MbaMeta, transferLineOf } from './load.js';

const TRANSFER_ALARMS: ReadonlySet<AlarmCode> = new Set([
  'SRD_3SIGMA',
  'TRANSFER_UNMATCHED',
  'NOTICE_MISSING',
  'NOTICE_LATE',
]);

/** In-process callers without a window: the first 1000 rows, as the API's largest page. */
const ALL: PageRequest = { limit: 1000, offset: 0 };

/** One side of a transfer as listed: whole when in the caller's scope, else only its state. */
type TransferSideView =
  | {
      readonly id: string;
      readonly state: string;
      readonly mba: string;
      readonly code: string;
      readonly batch: string;
      readonly element: ElementCode;
      readonly date: string;
      readonly weight: number;
      readonly notice: string | null;
      readonly counterpart: TransferLine['counterpart'];
    }
  | { readonly state: string };

/** One transfer as listed by GET /api/transfers. */
export interface TransferView {
  readonly status: TransferMatch['status'];
  readonly batch: string | undefined;
  readonly shipment: TransferSideView | null;
  readonly receipt: TransferSideView | null;
  readonly srd: number | null;
  readonly sigma: number | null;
  readonly deadline: string | null;
}

/** The sortable fields of GET /api/alarms (the route's `sort` enum). */
export const ALARM_SORT_FIELDS = ['date', 'code', 'state', 'mba', 'element'] as const;
const ALARM_SORTS: Record<(typeof ALARM_SORT_FIELDS)[number], SortValue<AlarmView>> = {
  date: (a) => a.date,
  code: (a) => a.code,
  state: (a) => a.state,
  mba: (a) => a.mba,
  element: (a) => a.element,
};

/** The sortable fields of GET /api/transfers (the route's `sort` enum). */
export const TRANSFER_SORT_FIELDS = [
  'status',
  'batch',
  'date',
  'state',
  'element',
  'srd',
  'deadline',
] as const;
const visible = (s: TransferSideView | null) => (s !== null && 'mba' in s ? s : undefined);
const TRANSFER_SORTS: Record<(typeof TRANSFER_SORT_FIELDS)[number], SortValue<TransferView>> = {
  status: (t) => t.status,
  batch: (t) => t.batch ?? null,
  // The shipment's date, or the receipt's when the shipment is missing or not shown.
  date: (t) => (visible(t.shipment) ?? visible(t.receipt))?.date ?? null,
  state: (t) => (t.shipment ?? t.receipt)?.state ?? null,
  element: (t) => (visible(t.shipment) ?? visible(t.receipt))?.element ?? null,
  // How many σ the shipper–receiver difference is off (absent where SRD is not shown).
  srd: (t) => (t.srd === null || !t.sigma ? null : Math.abs(t.srd) / t.sigma),
  deadline: (t) => t.deadline,
};

/** The text a transfer side offers to `q`: nothing but its state when hidden from the caller. */
function sideText(s: TransferSideView | null): (string | null)[] {
  if (s === null) return [];
  if (!('mba' in s)) return [s.state];
  return [s.state, s.mba, s.code, s.batch, s.element, s.notice];
}

/** One alarm as listed by GET /api/alarms (and the cause of at most one case). */
export interface AlarmView {
  readonly key: string;
  readonly code: AlarmCode;
  readonly state: string;
  readonly mba: string;
  readonly element: ElementCode | null;
  /** The PIT closing the balance, or the transfer's date. */
  readonly date: string;
  readonly from: string | null;
  readonly ref: string | null;
}

interface World {
  readonly version: number;
  readonly asOf: string;
  readonly registry: string;
  readonly mbas: readonly MbaMeta[];
  readonly evaluations: ReadonlyMap<string, MbaEvaluation>;
  /** Built on first use (GET /api/transfers, the summary): not needed for a balance. */
  readonly matches: readonly TransferMatch[];
  /** Built on first use (GET /api/alarms, opening cases). */
  readonly alarms: readonly AlarmView[];
}

/** What the service keeps of one MBA between evaluations. */
interface MbaState {
  meta: MbaMeta;
  /** Highest log index of its reports read into the book. */
  version: number;
  inventories: InventoryListing[];
  book: MbaBook;
  /** Its transfer and notice alarms as last evaluated. */
  own: DatedAlarm[];
  evaluation: MbaEvaluation | undefined;
  alarms: AlarmView[] | undefined;
}

/**
 * The evaluation engine over the store (engine issue): balances per MBA × element × period,
 * σMUF/SITMUF/CUMUF/Page and their alarms, shipper–receiver matching across states, notice
 * checks and the annual summary. Matching crosses state lines, so the world is one; but it is
 * kept between requests and brought up to date incrementally (docs/decisions/0006): every
 * accepted report appends to the log, so the log size says when to look, each MBA's highest
 * report log index says which MBAs have new reports, its registry facts (not logged) say when to
 * read it again, and the date says when grace periods must be judged again. A new ICR costs its
 * own lines: the MBA book sums only the cells they fall in, the transfer book re-matches only
 * their match keys, and only the MBAs whose inputs changed are evaluated again.
 */
export function createEvaluationService(ports: Ports) {
  let cached: World | undefined;
  let building: Promise<World> | undefined;
  const page = { ...DEFAULT_PAGE, h: ports.config.pageH };
  const perMba = new Map<string, MbaState>();
  const transfers = createTransferBook();
  let noticesKey = '';
  /** Case keys already opened or found open: a case, once there, stays (cases are never deleted). */
  const handled = new Set<string>();

  async function version(): Promise<number> {
    const r = await ports.db.kysely.selectFrom('log_sequence').select('next_index').executeTakeFirstOrThrow();
    return Number(r.next_index);
  }

  /** Reads an MBA's reports from scratch into a new book (first read, registry edit, late report). */
  async function readWhole(meta: MbaMeta, ver: number): Promise<MbaState> {
    const { inventories, icrLines } = await loadReports(ports, meta.code, -1);
    const book = createMbaBook({ inventories, kmpErrors: meta.kmpErrors });
    addBookLines(book, icrLines);
    clearTransferLines(transfers, meta.code);
    for (const entry of book.effective.entries) {
      if (entry.current === undefined) continue;
      const line = transferLineOf(meta, entry, book.codeSigns);
      if (line !== undefined) putTransferLine(transfers, meta.code, entry.index, line);
    }
    return { meta, version: ver, inventories, book, own: [], evaluation: undefined, alarms: undefined };
  }

  /** Reads the reports sequenced since the MBA was last read; false when a new book is needed. */
  async function readNew(st: MbaState, ver: number): Promise<boolean> {
    const fresh = await loadReports(ports, st.meta.code, st.version);
    const changes = addBookLines(st.book, fresh.icrLines);
    if (changes === undefined) return false;
    if (fresh.inventories.length > 0) {
      st.inventories = [...st.inventories, ...fresh.inventories];
      setBookInventories(st.book, st.inventories);
    }
    for (const { entry, previous } of changes) {
      const line = transferLineOf(st.meta, entry, st.book.codeSigns);
      if (line !== undefined || previous !== undefined)
        putTransferLine(transfers, st.meta.code, entry.index, line);
    }
    st.version = ver;
    st.evaluation = undefined;
    return true;
  }

  async function build(v: number, registry: readonly MbaMeta[], registryKey: string): Promise<World> {
    const asOf = ports.clock.now().toISOString().slice(0, 10);
    const versions = new Map(
      (
        await ports.db.kysely
          .selectFrom('reports')
          .select(['mba', (eb) => eb.fn.max('log_index').as('v')])
          .groupBy('mba')
          .execute()
      ).map((r) => [r.mba, Number(r.v)] as const),
    );
    const registered = new Set(registry.map((m) => m.code));
    for (const code of [...perMba.keys()]) {
      if (registered.has(code)) continue;
      perMba.delete(code);
      clearTransferLines(transfers, code);
    }
    for (const meta of registry) {
      const ver = versions.get(meta.code) ?? -1;
      const st = perMba.get(meta.code);
      if (st === undefined || st.meta.fingerprint !== meta.fingerprint) {
        perMba.set(meta.code, await readWhole(meta, ver));
      } else if (st.version !== ver && !(await readNew(st, ver))) {
        perMba.set(meta.code, await readWhole(meta, ver));
      }
    }
    const notices = await loadNotices(ports);
    const nk = JSON.stringify(notices);
    if (nk !== noticesKey) {
      setTransferNotices(transfers, notices);
      noticesKey = nk;
    }
    for (const code of settleTransfers(transfers, asOf)) {
      const st = perMba.get(code);
      if (st) st.evaluation = undefined;
    }
    const evaluations = new Map<string, MbaEvaluation>();
    for (const meta of registry) {
      const st = perMba.get(meta.code) as MbaState;
      if (st.evaluation === undefined) {
        st.own = transferAlarmsOf(transfers, meta.code);
        st.evaluation = evaluateBook(st.book, {
          mba: meta.code,
          // No srd: the book enters the SRD of every receipt corrected to the receiver's
          // measurement itself (bookedReceiptOf, docs/decisions/0009).
          transferAlarms: st.own,
          page,
          itemMba: meta.itemMba,
        });
        st.alarms = undefined;
      }
      evaluations.set(meta.code, st.evaluation);
    }
    const codes = registry.map((m) => m.code);
    let matches: TransferMatch[] | undefined;
    let alarms: AlarmView[] | undefined;
    return {
      version: v,
      asOf,
      registry: registryKey,
      mbas: registry,
      evaluations,
      get matches() {
        matches ??= allMatches(transfers, codes);
        return matches;
      },
      get alarms() {
        alarms ??= registry.flatMap((m) => alarmViewsOf(perMba.get(m.code) as MbaState));
        return alarms;
      },
    };
  }

  async function world(): Promise<World> {
    const v = await version();
    const registry = await loadRegistry(ports);
    const registryKey = registry.map((m) => `${m.code}\u0001${m.fingerprint}`).join('\u0002');
    const today = ports.clock.now().toISOString().slice(0, 10);
    if (cached && cached.version === v && cached.asOf === today && cached.registry === registryKey)
      return cached;
    // One build at a time: the books are shared state.
    while (building) await building.catch(() => undefined);
    if (cached && cached.version === v && cached.asOf === today && cached.registry === registryKey)
      return cached;
    building = build(v, registry, registryKey).finally(() => {
      building = undefined;
    });
    cached = await building;
    return cached;
  }

  async function mbaInScope(p: Principal, code: string) {
    const w = await world();
    const m = w.mbas.find((x) => x.code === code);
    enforce(p, 'data.read', await scopeOf(ports, p), { state: m?.state ?? '\0' });
    if (!m) throw new DomainError('NOT_FOUND', 'no such resource');
    return { w, m };
  }

  return {
    world,
    /** GET /api/mbas/:code/balances?element=E — the shape, grams as numbers. */
    async balances(p: Principal, code: string, element: ElementCode | undefined) {
      const { w, m } = await mbaInScope(p, code);
      const ev = w.evaluations.get(m.code) as MbaEvaluation;
      const elements = ev.elements.filter((e) => element === undefined || e.element === element);
      const pick = elements[0];
      return {
        mba: m.code,
        element: pick?.element ?? element ?? null,
        category: pick?.category ?? null,
        significantQuantity: pick?.sq ?? null,
        timelinessMonths: pick?.timelinessMonths ?? null,
        page: { k: DEFAULT_PAGE.k, h: ports.config.pageH },
        sigmaModel:
          'σMUF per domain.md §6: δr²·Σx² + δs²·(Σ±x)² per KMP; an inventory KMP’s systematic error is shared by PB and PE (δr²(PB²+PE²)+δs²(PB−PE)²).',
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
    },
    /**
     * The alarms in the caller's scope, filtered, then sorted and windowed (docs/decisions/0007):
     * with 100 000 unmatched transfer lines an MBA has as many alarms, so the list is paged.
     */
    async alarms(
      p: Principal,
      f: { state?: string; mba?: string; code?: string },
      req: PageRequest = ALL,
    ): Promise<Page<AlarmView>> {
      const scope = await scopeOf(ports, p);
      enforce(p, 'data.read', scope);
      const rows = (await world()).alarms.filter(
        (a) =>
          inScope(scope, a.state) &&
          (!f.state || a.state === f.state) &&
          (!f.mba || a.mba === f.mba) &&
          (!f.code || a.code === f.code),
      );
      return pageInMemory('alarms', rows, req, ALARM_SORTS, (a) => [
        a.code,
        a.state,
        a.mba,
        a.element,
        a.ref,
      ]);
    },
    /**
     * Alarm counts per state in scope and per code (GET /api/alarms/summary): what the overview
     * shows, without sending every alarm (a 100 000-line MBA can carry 100 000 of them).
     */
    async alarmSummary(p: Principal) {
      const scope = await scopeOf(ports, p);
      enforce(p, 'data.read', scope);
      const byState = new Map<string, { total: number; codes: Record<string, number> }>();
      let total = 0;
      for (const a of (await world()).alarms) {
        if (!inScope(scope, a.state)) continue;
        total++;
        let s = byState.get(a.state);
        if (!s) {
          s = { total: 0, codes: {} };
          byState.set(a.state, s);
        }
        s.total++;
        s.codes[a.code] = (s.codes[a.code] ?? 0) + 1;
      }
      return {
        total,
        states: [...byState]
          .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
          .map(([state, s]) => ({ state, total: s.total, codes: s.codes })),
      };
    },
    /**
     * Matched / unmatched / discrepant transfers. An inspectorate sees both sides within its scope;
     * a state sees only its own side of each transfer and the outcome, never the other state's data.
     */
    async transfers(
      p: Principal,
      f: { state?: string; status?: string },
      req: PageRequest = ALL,
    ): Promise<Page<TransferView>> {
      const scope = await scopeOf(ports, p);
      enforce(p, 'data.read', scope);
      const w = await world();
      const side = (l: TransferMatch['shipment']) =>
        l && inScope(scope, l.state)
          ? {
              id: l.id,
              state: l.state,
              mba: l.mba,
              code: l.code,
              batch: l.batch,
              element: l.element,
              date: l.date,
              weight: l.weightMg / 1000,
              notice: l.notice ?? null,
              counterpart: l.counterpart,
            }
          : l
            ? { state: l.state }
            : null;
      const rows: TransferView[] = w.matches
        .filter(
          (m) =>
            (m.shipment && inScope(scope, m.shipment.state)) ||
            (m.receipt && inScope(scope, m.receipt.state)),
        )
        .filter((m) => !f.status || m.status === f.status)
        .filter((m) => !f.state || m.shipment?.state === f.state || m.receipt?.state === f.state)
        .map((m) => {
          const both =
            (!m.shipment || inScope(scope, m.shipment.state)) &&
            (!m.receipt || inScope(scope, m.receipt.state));
          return {
            status: m.status,
            batch: (m.shipment ?? m.receipt)?.batch,
            shipment: side(m.shipment),
            receipt: side(m.receipt),
            // SRD reveals the other side's figure: only for those who may see both sides.
            srd: both && m.srdMg !== undefined ? m.srdMg / 1000 : null,
            sigma: both && m.sigmaMg !== undefined ? m.sigmaMg / 1000 : null,
            deadline: m.deadline ?? null,
          };
        });
      // Sorted and filtered over the view, after the scope: the other state's hidden side
      // (reduced to its state code) can neither match `q` nor order the rows.
      return pageInMemory('transfers', rows, req, TRANSFER_SORTS, (t) => [
        t.status,
        t.batch,
        ...sideText(t.shipment),
        ...sideText(t.receipt),
      ]);
    },
    async summary(p: Principal, state: string, year: number) {
      enforce(p, 'data.read', await scopeOf(ports, p), { state });
      const w = await world();
      const mbas = w.mbas.filter((m) => m.state === state);
      if (
        mbas.length === 0 &&
        !(await ports.db.kysely
          .selectFrom('states')
          .select('code')
          .where('code', '=', state)
          .executeTakeFirst())
      ) {
        throw new DomainError('NOT_FOUND', 'no such resource');
      }
      const agreements = await ports.db.kysely
        .selectFrom('agreements')
        .innerJoin('agreement_parties', 'agreement_parties.agreement_id', 'agreements.id')
        .select(['agreements.type as type'])
        .where('agreement_parties.party_ref', '=', state)
        .where('agreements.status', '=', 'in-force')
        .execute();
      const types = new Set(agreements.map((a) => a.type));
      const counts = { matched: 0, discrepant: 0, pending: 0, unmatched: 0 };
      for (const m of w.matches) {
        if (m.shipment?.state === state || m.receipt?.state === state) counts[m.status]++;
      }
      return summariseState({
        state,
        year,
        asOf: w.asOf,
        evaluations: mbas.map((m) => w.evaluations.get(m.code) as MbaEvaluation),
        agreement: types.has('CSA')
          ? 'CSA'
          : types.has('INFCIRC66')
            ? 'INFCIRC66'
            : types.has('VOA')
              ? 'VOA'
              : 'CSA',
        additionalProtocol: types.has('AP'),
        transfers: counts,
      });
    },
    /**
     * Open one case per alarm cause (cases issue): idempotent through the case key, so
     * re-evaluation never duplicates. Sequence alarms (Page, CUMUF) open one case at their first
     * firing; a notice finding opens one per transfer line and finding.
     */
    async openCases(): Promise<number> {
      const w = await world();
      let opened = 0;
      const firstSequence = new Set<string>();
      for (const a of [...w.alarms].sort((x, y) => (x.date < y.date ? -1 : 1))) {
        const alarm = toCaseAlarm(a, firstSequence);
        if (!alarm) continue;
        const key = caseKeyForAlarm(alarm);
        if (handled.has(key)) continue;
        try {
          if ((await openCaseForAlarm(ports, alarm)).created) opened++;
          handled.add(key);
        } catch (err) {
          ports.logger.warn(
            { err: (err as Error).message, alarm: a.key },
            'could not open a case for an alarm',
          );
        }
      }
      return opened;
    },
  };
}

/** The alarms of one MBA as listed: balance alarms per period, then its transfer and notice alarms. */
function alarmViewsOf(st: MbaState): AlarmView[] {
  if (st.alarms !== undefined) return st.alarms;
  const m = st.meta;
  const alarms: AlarmView[] = [];
  for (const el of st.evaluation?.elements ?? []) {
    for (const p of el.periods) {
      for (const code of p.alarms) {
        // Transfer and notice alarms are listed once below, with the transfer they are about.
        if (TRANSFER_ALARMS.has(code)) continue;
        alarms.push({
          key: `${m.code}:${el.element}:${p.to}:${code}`,
          code,
          state: m.state,
          mba: m.code,
          element: el.element,
          date: p.to,
          from: p.from,
          ref: null,
        });
      }
    }
  }
  for (const a of st.own) {
    alarms.push({
      key: `${m.code}:${a.element ?? '-'}:${a.date}:${a.code}:${a.ref ?? ''}`,
      code: a.code,
      state: m.state,
      mba: m.code,
      element: a.element ?? null,
      date: a.date,
      from: null,
      ref: a.ref ?? null,
    });
  }
  st.alarms = alarms;
  return alarms;
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

export type EvaluationService = ReturnType<typeof createEvaluationService>;
