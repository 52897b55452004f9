import {
  DEFAULT_IC_CODES,
  type MbrReport,
  type Report,
  type SignatureOutcome,
  type ValidationContext,
} from '../../domain/reports/index.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import { createReportAccountRepo, type ReportAccountRepo } from '../../store/report-account.repo.js';
import type { Ports } from '../ports.js';
import { bookBatchesAmong, correctionTargets, knownNotices, periodTotals } from './account.js';

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
  const registry = createRegistryRepo(ports.db);
  const mba = await registry.getMba(report.mba);
  // A report for another state's MBA is refused (UNKNOWN_MBA, as an unknown one) and must learn nothing of that
  // MBA: not its KMPs, report numbers, agreement, notices or book. Only the submitter's own MBAs
  // are looked into.
  const owned = mba !== undefined && mba.state === submitterState;
  const kmps = new Map(
    owned
      ? (await registry.listKmps({ mba: report.mba })).map((x) => [x.code, { kind: x.kind }] as const)
      : [],
  );
  const account = createReportAccountRepo(ports.db);
  const n = report.reportNumber;
  const [lastReportNumber, duplicate] = owned
    ? await Promise.all([
        account.lastReportNumber(report.mba, report.type),
        account.hasReportNumber(report.mba, report.type, n),
      ])
    : [0, false];
  // The validator asks only about the report's own number (REPORT_DUPLICATE).
  const existing = new Set(duplicate ? [n] : []);

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

  ctx.knownNotices = await knownNotices(account, report, mba.state);
  if (report.type === 'ICR') {
    ctx.correctionTargets = await correctionTargets(account, report);
    ctx.bookBatches = await bookBatchesAmong(account, report);
  } else if (report.type === 'MBR') {
    await addMbrContext(account, report, ctx);
  }
  return ctx;
}

/** The previous balance's PIT and PE, the PIL of this PIT, and the period's ICR totals (MBR checks). */
async function addMbrContext(
  account: ReportAccountRepo,
  report: MbrReport,
  ctx: { -readonly [K in keyof ValidationContext]: ValidationContext[K] },
): Promise<void> {
  const pits = await account.inventoryReports(report.mba);
  const pit = report.pit;
  const previousPit = pits
    .map((p) => p.pit as string)
    .filter((p) => p < pit)
    .sort()
    .at(-1);
  if (previousPit) ctx.previousPit = previousPit;
  const pil = pits.find((p) => p.type === 'PIL' && p.pit === pit);
  if (pil) ctx.pilTotals = await account.elementTotals(pil.id);
  const prevMbr = pits
    .filter((p) => p.type === 'MBR' && (p.pit as string) < pit)
    .sort((a, b) => ((a.pit as string) < (b.pit as string) ? -1 : 1))
    .at(-1);
  // PB must equal the previous balance's PE (its MBR), or the initial inventory at the first.
  const initial = pits.find((p) => p.type === 'INITIAL' && p.pit === previousPit);
  const prevInventory = prevMbr
    ? await account.mbrEntry(prevMbr.id, 'PE')
    : initial
      ? await account.elementTotals(initial.id)
      : undefined;
  if (prevInventory) ctx.previousPe = prevInventory;
  ctx.icrTotals = await periodTotals(account, report.mba, previousPit ?? '0000-01-01', pit);
}
