import {
  computeObligations,
  type Obligation,
  type ReceivedReport,
  reportingRulesFrom,
} from '../../domain/deadlines/index.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import { createReportsRepo } from '../../store/reports.repo.js';
import { instrumentsBindingState } from '../legal/index.js';
import type { Ports } from '../ports.js';

/**
 * A state's reporting obligations as of `today`: from its agreements in force, its MBAs, the PITs
 * it has reported, its export notices, and every submission accepted or refused (a refusal that
 * is cured in time dates the obligation: deadlines domain); each due date from the provision
 * binding the state that states its rule, cited as the obligation's basis.
 */
export async function computeStateObligations(
  ports: Ports,
  state: string,
  today: string,
): Promise<Obligation[]> {
  const registry = createRegistryRepo(ports.db);
  const repo = createReportsRepo(ports.db);
  const agreements = (await registry.listAgreements())
    .filter((a) => a.status === 'in-force' && a.parties.some((x) => x.kind === 'state' && x.ref === state))
    .map((a) => ({
      id: a.id,
      type: a.type,
      entryIntoForce: a.entryIntoForce,
      parties: a.parties.map((x) => x.ref),
    }));
  const mbas = await registry.listMbas({ state });
  const reports = await repo.obligationReports(state);
  const rejected = await repo.obligationRejections(state);
  const received: ReceivedReport[] = [
    ...reports.map((r) => toReceived(r, 'accepted')),
    ...rejected.map((r) => toReceived({ ...r, notice_json: null }, 'rejected')),
  ];
  const pits = new Map<string, Set<string>>();
  for (const r of reports) {
    if (!r.pit || (r.type !== 'PIL' && r.type !== 'MBR')) continue;
    const set = pits.get(r.mba) ?? new Set<string>();
    set.add(r.pit);
    pits.set(r.mba, set);
  }
  const shipments = new Map<string, { direction: 'export'; reference: string; preparationDate: string }[]>();
  for (const r of reports) {
    if (r.type !== 'EXPORT_NOTICE' || !r.notice_json) continue;
    const n = JSON.parse(r.notice_json) as { reference: string; preparationDate: string };
    const list = shipments.get(r.mba) ?? [];
    list.push({ direction: 'export', reference: n.reference, preparationDate: n.preparationDate });
    shipments.set(r.mba, list);
  }
  // The deadline rules come from the provisions binding the state today (issue 19, decision 0031).
  const binding = await instrumentsBindingState(ports, state, today);
  return computeObligations({
    state,
    agreements,
    rules: reportingRulesFrom(binding),
    mbas: mbas.map((m) => ({
      mba: m.code,
      pits: [...(pits.get(m.code) ?? [])].sort(),
      shipments: shipments.get(m.code) ?? [],
    })),
    reports: received,
    today,
  });
}

function toReceived(
  r: {
    type: string | null;
    mba: string | null;
    period_from: string | null;
    period_to: string | null;
    pit: string | null;
    notice_json: string | null;
    submitted_at: string;
  },
  outcome: 'accepted' | 'rejected',
): ReceivedReport {
  const base = {
    type: r.type as ReceivedReport['type'],
    mba: r.mba as string,
    submittedAt: r.submitted_at,
    outcome,
  };
  if (r.period_from && r.period_to) return { ...base, period: { from: r.period_from, to: r.period_to } };
  if (r.pit) return { ...base, pit: r.pit };
  if (r.notice_json)
    return { ...base, noticeReference: (JSON.parse(r.notice_json) as { reference: string }).reference };
  return base;
}
