import { CASE_STATUSES, type CaseStatus } from '../../../../src/domain/cases/index.js';
import { useT } from '../../i18n/I18nProvider.js';

const STATUS_LABEL: Record<CaseStatus, string> = {
  open: 'Open',
  'question-sent': 'Question sent',
  answered: 'Answered',
  'under-review': 'Under review',
  resolved: 'Resolved',
  escalated: 'Escalated',
};

export function statusLabel(s: string): string {
  return isCaseStatus(s) ? STATUS_LABEL[s] : s;
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
      {statusLabel(status)}
      {overdue ? ` ${t('cases.overdue')}` : ''}
    </span>
  );
}
