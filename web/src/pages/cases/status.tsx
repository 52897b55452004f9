import {
  type AlarmCaseAbout,
  alarmCaseTitle,
  CASE_STATUSES,
  type CaseStatus,
} from '../../../../src/domain/cases/index.js';
import { formatDate } from '../../i18n/format.js';
import { hasMessage, type Translate, useT } from '../../i18n/I18nProvider.js';
import { codeLabel } from '../../i18n/terms.js';

/** A case status in the user's language; a status this app does not know is shown as it came. */
export function statusLabel(s: string, t: Translate): string {
  return isCaseStatus(s) ? t(`case.status.${s}`) : s;
}

/** statusLabel in the user's language, for components. */
export function useStatusLabel(): (s: string) => string {
  const t = useT();
  return (s) => statusLabel(s, t);
}

/** A case kind in the user's language (CASE_KINDS); a kind this app does not know is shown as it came. */
export function kindLabel(k: string, t: Translate): string {
  const key = `caseKind.${k}`;
  return hasMessage(key) ? t(key) : k;
}

export function isCaseStatus(s: string): s is CaseStatus {
  return (CASE_STATUSES as readonly string[]).includes(s);
}

export function StatusBadge({ status, overdue }: { status: string; overdue?: boolean }) {
  const t = useT();
  const cls =
    status === 'resolved' ? 'badge-ok' : status === 'escalated' || overdue ? 'badge-bad' : 'badge-wait';
  return (
    <span className={`badge ${cls}`}>
      {statusLabel(status, t)}
      {overdue ? ` ${t('cases.overdue')}` : ''}
    </span>
  );
}

/** An alarm code's name (`alarm.code.<CODE>`), or the code as it came. */
function alarmName(code: string, t: Translate): string {
  const key = `alarm.code.${code}`;
  return hasMessage(key) ? t(key) : code;
}

/**
 * A case's title in the user's language: a title the system wrote for an alarm (it equals what
 * the alarm's code and values make in English) is worded from them; one a person wrote is theirs.
 */
export function caseTitle(
  c: { title: string; about?: AlarmCaseAbout | null; mba?: string | null },
  t: Translate,
): string {
  const auto = c.about ? alarmCaseTitle(c.about, c.mba ?? undefined) : undefined;
  if (!auto || auto.text !== c.title) return c.title;
  const v = auto.values;
  const up = (s: string | undefined) => (s ?? '').toUpperCase().replaceAll('-', '_');
  switch (auto.code) {
    case 'balance':
    case 'sequence':
      return t('case.autoTitle.balance', {
        what: alarmName(up(v.test), t),
        mba: v.mba ?? '',
        element: v.element ?? '',
        at: formatDate(v.at ?? ''),
      });
    case 'srd':
    case 'transfer-unmatched':
    case 'notice': {
      const code =
        auto.code === 'srd'
          ? 'SRD_3SIGMA'
          : auto.code === 'notice'
            ? `NOTICE_${up(v.finding)}`
            : 'TRANSFER_UNMATCHED';
      return t('case.autoTitle.transfer', { what: alarmName(code, t), transfer: v.transfer ?? '' });
    }
    case 'deadline': {
      const key = `deadlines.status.${v.status}`;
      const status = hasMessage(key) ? t(key) : (v.status ?? '');
      return t('case.autoTitle.deadline', { status, obligation: v.obligation ?? '' });
    }
    case 'seal':
      return t('case.autoTitle.seal', { event: v.event ?? '', seal: v.seal ?? '' });
    case 'verification':
      return t('case.autoTitle.verification', { finding: v.finding ?? '', inspection: v.inspection ?? '' });
    case 'compatibility':
      return v.status
        ? t('case.autoTitle.compatibilityStatus', {
            provision: v.provision ?? '',
            status: codeLabel('compat.status.', v.status, t),
          })
        : t('case.autoTitle.compatibility', { provision: v.provision ?? '' });
    case 'device':
      return t('case.autoTitle.device', {
        what: alarmName(v.code ?? '', t),
        device: v.device ?? '',
        at: formatDate(v.at ?? ''),
      });
    case 'declaration': {
      const code = `${v.check === 'annex-ii' ? 'ANNEX_II' : 'SOURCE_MATERIAL'}_${up(v.finding)}`;
      return t('case.autoTitle.declaration', { what: alarmName(code, t), item: v.item ?? '' });
    }
    case 'split-view':
      return t('case.autoTitle.splitView', { what: alarmName('LOG_SPLIT_VIEW', t), origin: v.origin ?? '' });
    default:
      return c.title;
  }
}
