import {
  batchKey,
  DEFAULT_IC_CODES,
  type ElementCode,
  type Milligrams,
  type Report,
  type SignatureOutcome,
  type ValidationContext,
} from '../../domain/reports/index.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import type { Ports } from '../ports.js';
import { mbaAccount } from './account.js';

/**
 * Fill the pure validator's context from the database (domain/reports/validate.ts): the registry
 * entry of the MBA, its KMPs, report numbering, the book, correction targets, notices and the
 * balance figures the MBR is checked against.
 */
export async function buildValidationContext(
  ports: Ports,
  report: Report,
  submitterState: string,
  signature: SignatureOutcome,
): Promise<ValidationContext> {
  const k = ports.db.kysely;
  const registry = createRegistryRepo(ports.db);
  const mba = await registry.getMba(report.mba);
  // A report for another state's MBA is refused (MBA_NOT_OWNED) and must learn nothing of that
  // MBA: not its KMPs, report numbers, agreement, notices or book. Only the submitter's own MBAs
  // are looked into.
  const owned = mba !== undefined && mba.state === submitterState;
  const kmps = new Map(
    owned
      ? (await registry.listKmps({ mba: report.mba })).map((x) => [x.code, { kind: x.kind }] as const)
      : [],
  );
  const numbers = owned
    ? await k
        .selectFrom('reports')
        .select('report_number')
        .where('mba', '=', report.mba)
        .where('type', '=', report.type)
        .execute()
    : [];
  const existing = new Set(numbers.map((n) => n.report_number));
  const lastReportNumber = numbers.reduce((m, n) => Math.max(m, n.report_number), 0);

  const agreements = owned
    ? (await registry.listAgreements()).filter(
        (a) =>
          a.status === 'in-force' &&
          a.type !== 'AP' &&
          a.parties.some((p) => p.kind === 'state' && p.ref === mba.state),
      )
    : [];
  const agreementStart = agreements.map((a) => a.entryIntoForce).sort()[0];
  const today = ports.clock.now().toISOString().slice(0, 10);

  const ctx: {
    -readonly [K in keyof ValidationContext]: ValidationContext[K];
  } = {
    mba: mba && { code: mba.code, state: mba.state, isItemMba: mba.itemMba },
    submitterState,
    signature,
    kmps,
    icCodes: DEFAULT_IC_CODES,
    lastReportNumber,
    existingReportNumbers: existing,
    today,
  };
  if (agreementStart) ctx.agreementStart = agreementStart;
  if (!owned) return ctx;

  // Notices a state knows: its own, and those that name it as the other party.
  const notices = await k
    .selectFrom('notices')
    .select('reference')
    .where((eb) => eb.or([eb('state', '=', mba.state), eb('other_state', '=', mba.state)]))
    .execute();
  ctx.knownNotices = new Set(notices.map((n) => n.reference));

  if (report.type === 'ICR' || report.type === 'MBR') {
    const account = await mbaAccount(ports, report.mba);
    ctx.correctionTargets = account.targets;
    const effective = account.effectiveLines();
    if (report.type === 'ICR') {
      const book = new Set(account.initialBatches);
      for (const l of effective) {
        const info = DEFAULT_IC_CODES.get(l.code);
        const key = batchKey(l.batch, l.element);
        if (info?.createsBatch) book.add(key);
        else if (info && info.sign < 0 && info.transfer) book.delete(key);
      }
      ctx.bookBatches = book;
    } else {
      const pits = await k
        .selectFrom('reports')
        .select(['pit', 'type', 'id'])
        .where('mba', '=', report.mba)
        .where('type', 'in', ['PIL', 'MBR', 'INITIAL'])
        .execute();
      const pit = report.pit;
      const previousPit = pits
        .map((p) => p.pit as string)
        .filter((p) => p < pit)
        .sort()
        .at(-1);
      if (previousPit) ctx.previousPit = previousPit;
      const pil = pits.find((p) => p.type === 'PIL' && p.pit === pit);
      if (pil) ctx.pilTotals = await totals(ports, pil.id);
      const prevMbr = pits
        .filter((p) => p.type === 'MBR' && (p.pit as string) < pit)
        .sort((a, b) => ((a.pit as string) < (b.pit as string) ? -1 : 1))
        .at(-1);
      // PB must equal the previous balance's PE (its MBR), or the initial inventory at the first.
      const initial = pits.find((p) => p.type === 'INITIAL' && p.pit === previousPit);
      const prevInventory = prevMbr
        ? await mbrEntry(ports, prevMbr.id, 'PE')
        : initial
          ? await totals(ports, initial.id)
          : undefined;
      if (prevInventory) ctx.previousPe = prevInventory;
      const from = previousPit ?? '0000-01-01';
      const icrTotals = new Map<ElementCode, Map<string, Milligrams>>();
      for (const l of effective) {
        if (!(l.date > from && l.date <= pit)) continue;
        const byCode = icrTotals.get(l.element) ?? new Map<string, Milligrams>();
        byCode.set(l.code, (byCode.get(l.code) ?? 0) + l.weightMg);
        icrTotals.set(l.element, byCode);
      }
      ctx.icrTotals = icrTotals;
    }
  }
  return ctx;
}

async function totals(ports: Ports, reportId: string): Promise<Map<ElementCode, Milligrams>> {
  const rows = await ports.db.kysely
    .selectFrom('report_lines')
    .select(['element', 'weight_mg'])
    .where('report_id', '=', reportId)
    .execute();
  const m = new Map<ElementCode, Milligrams>();
  for (const r of rows)
    m.set(r.element as ElementCode, (m.get(r.element as ElementCode) ?? 0) + Number(r.weight_mg));
  return m;
}

async function mbrEntry(
  ports: Ports,
  reportId: string,
  entry: string,
): Promise<Map<ElementCode, Milligrams>> {
  const rows = await ports.db.kysely
    .selectFrom('report_lines')
    .select(['element', 'weight_mg'])
    .where('report_id', '=', reportId)
    .where('entry', '=', entry)
    .execute();
  return new Map(rows.map((r) => [r.element as ElementCode, Number(r.weight_mg)] as const));
}
