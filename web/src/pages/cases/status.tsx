import { CASE_STATUSES, type CaseStatus } from '../../../../src/domain/cases/index.js';
import { hasMessage, type Translate, useT } from '../../i18n/I18nProvider.js';

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
