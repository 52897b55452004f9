import {
  type AlarmRow,
  type BalanceAlarmRow,
  countDeviceAlarms,
  pageAlarms,
  readDeviceAlarmWindow,
  readTransferAlarmWindow,
} from '../../store/alarms.repo.js';
import type { DbOrTx } from '../../store/db.js';
import type { PageRequest } from '../../store/paging.js';
import { countTransferAlarms } from './balances.js';

/**
 * GET /api/alarms without a sort or a text search, by segments (docs/decisions/0085): the list's
 * order is, per MBA in the order given, its balance alarms, its transfer and notice alarms in
 * origin order, its devices' alarms; then the alarms of no MBA (declarations' findings, split
 * views). Each segment's size is known without reading it — balance alarms are in memory, transfer
 * and notice alarms from the maintained counts, device alarms from one grouped count of the view's devices — so a page
 * skips whole segments and reads only those it shows: the first page of an MBA with 200 000
 * unmatched lines walks its alarmed rows up to the 50th alarm, where the one statement (pageAlarms,
 * still the path of a sort or a search) joined every alarmed row to its line and sorted them.
 */
export async function pageAlarmsBySegments(
  q: DbOrTx,
  args: {
    /** The MBAs of the view in list order, each with its balance alarms in list order. */
    readonly mbas: readonly { mba: string; state: string; balance: readonly BalanceAlarmRow[] }[];
    readonly code: string | undefined;
    readonly asOf: string;
    /** A lone line dated before this day is past its deadline (pageAlarms' cutoff). */
    readonly unmatchedBefore: string;
    readonly req: PageRequest;
    readonly extra: Parameters<typeof pageAlarms>[1]['extra'];
  },
): Promise<{ rows: AlarmRow[]; total: number }> {
  const { code, req } = args;
  const transfers = await countTransferAlarms(
    q,
    args.mbas.map((m) => m.mba),
    args.asOf,
  );
  const devices = await countDeviceAlarms(
    q,
    args.mbas.map((m) => m.mba),
    code,
  );
  const rows: AlarmRow[] = [];
  const end = req.offset + req.limit;
  let at = 0;
  /** Reads the part of a segment of `size` alarms starting at `at` that the window covers. */
  const visit = async (size: number, read: (skip: number, take: number) => Promise<AlarmRow[]>) => {
    const from = Math.max(req.offset, at);
    const to = Math.min(end, at + size);
    if (from < to) rows.push(...(await read(from - at, to - from)));
    at += size;
  };
  for (const m of args.mbas) {
    const balance = m.balance.filter((b) => code === undefined || b.code === code);
    await visit(balance.length, async (skip, take) =>
      balance.slice(skip, skip + take).map((b) => ({ ...b, ref: null })),
    );
    const byCode = transfers.get(m.mba);
    const n =
      code === undefined
        ? [...(byCode?.values() ?? [])].reduce((a, b) => a + b, 0)
        : (byCode?.get(code) ?? 0);
    await visit(n, (skip, take) => readTransferAlarmWindow(q, m, code, args.unmatchedBefore, skip, take));
    const ofDevices = [...(devices.get(m.mba)?.values() ?? [])].reduce((a, b) => a + b, 0);
    await visit(ofDevices, (skip, take) => readDeviceAlarmWindow(q, m, code, skip, take));
  }
  if (args.extra === undefined) return { rows, total: at };
  // The alarms of no MBA: few, listed by the one statement with nothing else in it.
  const from = Math.max(req.offset, at);
  const extra = await pageAlarms(q, {
    mbas: [],
    balance: [],
    code,
    unmatchedBefore: args.unmatchedBefore,
    req: { limit: Math.max(1, end - from), offset: from - at },
    extra: args.extra,
  });
  if (from < end) rows.push(...extra.rows);
  return { rows, total: at + extra.total };
}
