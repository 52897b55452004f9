import { caseKeyForAlarm } from '../../domain/cases/index.js';
import type { ErrorDetail } from '../../domain/errors.js';
import { DomainError } from '../../domain/errors.js';
import type { CokCause, DeviceAlarmCode, DeviceStatus } from '../../domain/monitoring/index.js';
import type { ParticularValue } from '../../domain/particulars.js';
import type { Principal } from '../../domain/policy/index.js';
import type { DbOrTx } from '../../store/db.js';
import { countEventsIn, type EventKey, pageEvents } from '../../store/device-events.repo.js';
import { alarmsOf, latestIntervals, latestRefusals, pageRefusals } from '../../store/monitoring.repo.js';
import { casesByKey } from '../../store/monitoring-rules.repo.js';
import type { Page } from '../../store/paging.js';
import { isoNow, type Ports } from '../ports.js';
import { cokNow } from './batch-record.js';
import type { DeviceRegistry } from './devices.js';

/** One event as GET /api/devices/:id/events lists it. */
export interface EventView {
  readonly time: string;
  readonly type: string;
  readonly seq: number;
  readonly index: number;
  readonly data: Record<string, unknown>;
}

/** A page of a device's events, with where the next one starts (decision 0105). */
export interface EventPage extends Page<EventView> {
  /** The `after` of the page that follows in the order asked for; null: this is the last. */
  readonly next: string | null;
}

/**
 * A place in a device's events' order as the API writes it: `<time>,<seq>,<index>` of the last
 * event of a page (times as the store keeps them, toISOString's fixed width).
 */
export const EVENT_CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z),(\d{1,15}),(\d{1,9})$/;

function keyOfCursor(cursor: string): EventKey {
  const m = EVENT_CURSOR.exec(cursor);
  // The route's schema has refused any other text already.
  if (!m) throw new DomainError('VALIDATION_FAILED', 'after is not <time>,<seq>,<index> of an event');
  return { at: m[1] as string, seq: Number(m[2]), idx: Number(m[3]) };
}

export interface IntervalView {
  readonly reason: string;
  readonly status: string;
  readonly from: string;
  readonly to: string | null;
  readonly detail: string;
  readonly closedBy: string | null;
  /** What opened it, as a problem's code and values (a chain-broken interval's gap), decision 0052. */
  readonly cause?: CokCause;
}

type AlarmValues = Readonly<Record<string, ParticularValue>>;

/** GET /api/devices/:id/status: the device's state of health, which the state sees too. */
export interface DeviceStatusView {
  readonly device: string;
  readonly lifecycle: DeviceStatus;
  readonly cok: 'intact' | 'degraded' | 'lost';
  readonly lastSeq: number;
  readonly lastSeen: string | null;
  readonly lastEventAt: string | null;
  /** Open intervals first, then the latest closed ones (at most 100). */
  readonly intervals: IntervalView[];
  /** Each alarm with the case it opened (null until opened), the alarm → case trail. */
  readonly alarms: {
    code: string;
    at: string;
    detail: string;
    values?: AlarmValues;
    caseId: string | null;
  }[];
  readonly refusals: { at: string; code: string; seq: number | null; transport: string }[];
}

/** One refused batch as GET /api/devices/:id/refusals lists it: when, which, why (decision 0064). */
export interface RefusalView {
  readonly at: string;
  readonly seq: number | null;
  readonly code: string;
  readonly transport: string;
  /** The refusal's problems, each with its code, rule and values (decision 0052). */
  readonly problems: RefusalProblem[];
}

export interface RefusalProblem {
  readonly code: string;
  readonly rule?: string;
  readonly field?: string;
  readonly values?: ErrorDetail['values'];
  /** The English wording for API and CLI readers (absent where the values are withheld). */
  readonly message?: string;
}

/**
 * Problems whose values are what the device recorded, not how its batch was made: an event's
 * time. The state sees that a batch was refused and why (its health), not when its events say
 * something happened (the information barrier, decision 0029): for a caller without the data
 * these carry their code and field only, and the page words them by the code.
 */
const RECORDED_VALUES = new Set(['EVENT_IN_FUTURE', 'EVENT_TOO_OLD']);

/** The stored problems of a refusal as the caller may see them. */
function problemsOf(details: string, data: boolean): RefusalProblem[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return [];
  }
  if (!Array.isArray(parsed)) return [];
  return (parsed as ErrorDetail[]).map((d) => {
    const withheld = !data && RECORDED_VALUES.has(d.code);
    return {
      code: d.code,
      ...(d.rule === undefined ? {} : { rule: d.rule }),
      ...(d.field === undefined ? {} : { field: d.field }),
      ...(withheld || d.values === undefined ? {} : { values: d.values }),
      ...(withheld ? {} : { message: d.message }),
    };
  });
}

const RECENT = 100;

/** The case each alarm opened, found by its cause key (one case per cause, decision 0030). */
async function withCases(
  k: DbOrTx,
  alarms: { code: string; at: string; detail: string; values?: AlarmValues }[],
  state: string,
  device: string,
) {
  const keys = alarms.map((a) =>
    caseKeyForAlarm({ source: 'device', code: a.code as DeviceAlarmCode, state, device, at: a.at }),
  );
  const found = await casesByKey(k, keys);
  return alarms.map((a, i) => ({ ...a, caseId: found.get(keys[i] as string) ?? null }));
}

/** Reading a device's data (owners and joint users) and its state of health (the state too). */
export function createMonitoringQueries(ports: Ports, registry: DeviceRegistry) {
  const k = ports.db.kysely;
  return {
    async events(
      p: Principal,
      id: string,
      range: { from?: string | undefined; to?: string | undefined },
      window: { limit: number; offset: number; order: 'asc' | 'desc'; after?: string | undefined },
    ): Promise<EventPage> {
      const { row, access } = await registry.visible(p, id);
      // The information barrier (issue 18 item 6): the state sees that its devices work, not what they saw.
      if (!access.includes('data'))
        throw new DomainError(
          'FORBIDDEN',
          'the surveillance data are the owning inspectorates’ (decision 0029)',
        );
      const after = window.after === undefined ? undefined : keyOfCursor(window.after);
      const unbounded = range.from === undefined && range.to === undefined;
      const [{ rows, more }, total] = await Promise.all([
        pageEvents(k, id, range, { ...window, desc: window.order === 'desc', after }),
        // The whole list's total is kept as batches are stored (decision 0105); a range's is
        // counted, which is bounded by the range the caller asked for.
        unbounded ? (row.event_count ?? 0) : countEventsIn(k, id, range),
      ]);
      const last = rows[rows.length - 1];
      return {
        items: rows.map((r) => ({
          time: r.at,
          type: r.type,
          seq: r.seq,
          index: r.idx,
          data: r.data === null ? {} : (JSON.parse(r.data) as Record<string, unknown>),
        })),
        total,
        limit: window.limit,
        offset: window.offset,
        next: more && last ? `${last.at},${last.seq},${last.idx}` : null,
      };
    },

    /** The device's refused batches, newest first, paged; seen by whoever sees its status. */
    async refusals(
      p: Principal,
      id: string,
      window: { limit: number; offset: number },
    ): Promise<Page<RefusalView>> {
      const { access } = await registry.visible(p, id);
      const { rows, total } = await pageRefusals(k, id, window);
      return {
        items: rows.map((r) => ({
          at: r.at,
          seq: r.seq,
          code: r.code,
          transport: r.transport,
          problems: problemsOf(r.details, access.includes('data')),
        })),
        total,
        limit: window.limit,
        offset: window.offset,
      };
    },

    async status(p: Principal, id: string): Promise<DeviceStatusView> {
      const { row } = await registry.visible(p, id);
      // The stored state is as of the last batch; silence since then is judged now (decision 0030).
      const state = cokNow(row, isoNow(ports.clock));
      const [closed, alarms, refusals] = await Promise.all([
        latestIntervals(k, id, RECENT),
        alarmsOf(k, id, RECENT),
        latestRefusals(k, id, RECENT),
      ]);
      return {
        device: id,
        lifecycle: row.status as DeviceStatus,
        cok: state.status,
        lastSeq: row.head_seq,
        lastSeen: row.last_seen_at,
        lastEventAt: row.last_event_at,
        intervals: [
          ...state.open.map((i) => ({
            reason: i.reason,
            status: i.status,
            from: i.from,
            to: null,
            detail: i.detail,
            closedBy: null,
            ...(i.cause === undefined ? {} : { cause: i.cause }),
          })),
          ...closed.map((i) => ({
            reason: i.reason,
            status: i.status,
            from: i.from_at,
            to: i.to_at,
            detail: i.detail,
            closedBy: i.closed_by,
            ...(i.particulars ? { cause: JSON.parse(i.particulars) as CokCause } : {}),
          })),
        ],
        alarms: await withCases(
          k,
          alarms.map((a) => ({
            code: a.code,
            at: a.at,
            detail: a.detail,
            ...(a.particulars ? { values: JSON.parse(a.particulars) as AlarmValues } : {}),
          })),
          row.state,
          id,
        ),
        refusals: refusals.map((r) => ({ at: r.at, code: r.code, seq: r.seq, transport: r.transport })),
      };
    },
  };
}
