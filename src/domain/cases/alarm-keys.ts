import type { DeviceAlarmCode } from '../monitoring/index.js';
import type { ElementCode, IsoDate } from '../reports/report.types.js';
import type { CaseKind } from './cases.types.js';

/**
 * The causes that open cases automatically (domain.md §6 alarms, §2 deadlines, §9 seals). This
 * is the input shape the case service maps other modules' results into; only the fields that
 * identify the cause are needed, so re-evaluating the same data gives the same key.
 */
export type CaseAlarm =
  /** One balance (MBA, element, PIT): |MUF| > 3σ, |MUF| ≥ 1 SQ, item MBA with MUF ≠ 0. */
  | {
      readonly source: 'balance';
      readonly test: 'muf-3sigma' | 'muf-sq' | 'item-muf';
      readonly state: string;
      readonly mba: string;
      readonly element: ElementCode;
      readonly pit: IsoDate;
    }
  /** A sequence of balances: CUMUF ≥ 1 SQ or Page's statistic > h, first firing at `pit`. */
  | {
      readonly source: 'sequence';
      readonly test: 'cumuf-sq' | 'page';
      readonly state: string;
      readonly mba: string;
      readonly element: ElementCode;
      readonly pit: IsoDate;
    }
  /** |SRD| > 3σ on a matched transfer. */
  | { readonly source: 'srd'; readonly state: string; readonly transfer: string }
  /** A shipment without its receipt, or a receipt without its shipment. */
  | { readonly source: 'transfer-unmatched'; readonly state: string; readonly transfer: string }
  /**
   * An international transfer that needed an advance notice and references none (missing), or
   * whose notice came too late (late): domain.md §2, INFCIRC/153 para. 92–95.
   */
  | {
      readonly source: 'notice';
      readonly finding: 'missing' | 'late';
      readonly state: string;
      readonly transfer: string;
    }
  /** A reporting obligation late or missing (deadlines/ obligation id). */
  | {
      readonly source: 'deadline';
      readonly status: 'late' | 'missing';
      readonly state: string;
      readonly obligation: string;
    }
  /** A seal or monitoring event: tamper, or a data gap starting at `since`. */
  | {
      readonly source: 'seal';
      readonly event: 'tamper' | 'gap';
      readonly state: string;
      readonly seal: string;
      readonly since: string;
    }
  /**
   * A monitoring device's alarm (issue 18 §5, decision 0030): DEVICE_SILENT, DEVICE_CHAIN_BROKEN,
   * DEVICE_AUTH_FAILED, SEAL_OPENED, CAMERA_UNDECLARED or GATE_MISMATCH, at the time of its cause.
   */
  | {
      readonly source: 'device';
      readonly code: DeviceAlarmCode;
      readonly state: string;
      readonly device: string;
      readonly at: string;
    }
  /** A significant verification finding (inspections/ findingsFromVerification). */
  | {
      readonly source: 'verification';
      readonly state: string;
      readonly inspection: string;
      readonly finding: string;
    }
  /**
   * A state's domestic law short of an international provision it is bound by (missing, partial
   * or conflicting; issue 19 item 2): one case per provision, whatever the status becomes.
   */
  | { readonly source: 'compatibility'; readonly state: string; readonly provision: string }
  /**
   * A declared item of an Additional Protocol declaration that the other State's declarations do
   * not confirm (issue 19 item 5): an Annex II export or a source-material transfer without its
   * counterpart past the grace period (unmatched), or with another quantity (discrepant).
   * `item` is `<declaration id>#<item index>`.
   */
  | {
      readonly source: 'declaration';
      readonly check: 'annex-ii' | 'source-material';
      readonly finding: 'unmatched' | 'discrepant';
      readonly state: string;
      readonly item: string;
    }
  /**
   * Two validly signed inconsistent checkpoints of a peer's log (LOG_SPLIT_VIEW, decision 0043):
   * one case per split view and state whose records flow with that log.
   */
  | {
      readonly source: 'split-view';
      readonly state: string;
      readonly origin: string;
      readonly splitView: string;
    };

function join(parts: readonly string[]): string {
  // Escaping each part keeps the key injective: `a:b` + `c` never equals `a` + `b:c`.
  return parts.map((p) => encodeURIComponent(p)).join(':');
}

/**
 * One stable key per cause, so an evaluation that runs again (or runs on corrected data that
 * still alarms) finds the open case instead of opening a duplicate. Custos decides:
 * - every balance-level test on one balance is ONE cause (the balance): a MUF that is both
 *   > 3σ and ≥ 1 SQ is one anomaly to follow up, with both tests in its notes;
 * - a sequence alarm is keyed by the PIT at which it first fired;
 * - late and missing on the same obligation share one key: a missing report that arrives late
 *   continues the same case rather than opening a second one;
 * - a notice finding is keyed by the transfer line and the finding: a missing notice and, once
 *   one is given, a late notice are two causes.
 */
export function caseKeyForAlarm(alarm: CaseAlarm): string {
  switch (alarm.source) {
    case 'balance':
      return join(['balance', alarm.state, alarm.mba, alarm.element, alarm.pit]);
    case 'sequence':
      return join(['sequence', alarm.state, alarm.mba, alarm.element, alarm.pit]);
    case 'srd':
      return join(['srd', alarm.state, alarm.transfer]);
    case 'transfer-unmatched':
      return join(['transfer-unmatched', alarm.state, alarm.transfer]);
    case 'notice':
      return join(['notice', alarm.state, alarm.transfer, alarm.finding]);
    case 'deadline':
      return join(['deadline', alarm.state, alarm.obligation]);
    case 'seal':
      return join(['seal', alarm.state, alarm.seal, alarm.event, alarm.since]);
    case 'verification':
      return join(['verification', alarm.state, alarm.inspection, alarm.finding]);
    case 'compatibility':
      return join(['compatibility', alarm.state, alarm.provision]);
    case 'device':
      return join(['device', alarm.state, alarm.device, alarm.code, alarm.at]);
    case 'declaration':
      return join(['declaration', alarm.state, alarm.item, alarm.check, alarm.finding]);
    case 'split-view':
      return join(['split-view', alarm.state, alarm.origin, alarm.splitView]);
  }
}

/** The kind of case an alarm opens. */
export function caseKindForAlarm(alarm: CaseAlarm): CaseKind {
  switch (alarm.source) {
    case 'balance':
    case 'sequence':
    case 'verification':
      return 'anomaly';
    case 'srd':
      return 'discrepancy';
    case 'transfer-unmatched':
      return 'transfer-unmatched';
    case 'notice':
      return 'notice';
    case 'deadline':
      return alarm.status === 'late' ? 'late-report' : 'missing-report';
    case 'seal':
      return 'seal';
    case 'compatibility':
      return 'question';
    case 'device':
      // Counts against declarations are a discrepancy with the state; the rest is about the
      // containment and surveillance the device keeps.
      return alarm.code === 'GATE_MISMATCH' ? 'discrepancy' : 'seal';
    case 'declaration':
      return alarm.finding === 'discrepant' ? 'discrepancy' : 'transfer-unmatched';
    case 'split-view':
      // The provenance of what the state's records rest on is in doubt: an anomaly to follow up.
      return 'anomaly';
  }
}
