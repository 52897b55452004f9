import type { MatrixRow } from '../../api/compatibility.js';
import { type MessageKey, useT } from '../../i18n/I18nProvider.js';

export type RowStatus = MatrixRow['status'];

export const STATUS_KEYS: Record<RowStatus, MessageKey> = {
  implemented: 'compat.status.implemented',
  partial: 'compat.status.partial',
  missing: 'compat.status.missing',
  conflicting: 'compat.status.conflicting',
  'not-reviewed': 'compat.status.notReviewed',
};

const BADGE: Record<RowStatus, string> = {
  implemented: 'badge-ok',
  partial: 'badge-wait',
  missing: 'badge-bad',
  conflicting: 'badge-bad',
  'not-reviewed': '',
};

export const ROW_STATUSES: readonly RowStatus[] = [
  'implemented',
  'partial',
  'missing',
  'conflicting',
  'not-reviewed',
];

export function CompatibilityBadge({ status }: { status: RowStatus }) {
  const t = useT();
  return <span className={`badge ${BADGE[status]}`}>{t(STATUS_KEYS[status])}</span>;
}

/** The counts per status, as a definition list. */
export function StatusSummary({ summary }: { summary: Readonly<Record<RowStatus, number>> }) {
  const t = useT();
  return (
    <dl className="summary-list">
      {ROW_STATUSES.map((s) => (
        <div key={s}>
          <dt>{t(STATUS_KEYS[s])}</dt>
          <dd>{summary[s]}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The in-app path of one provision's entry for a state (the ref is one encoded segment). */
export const entryPath = (state: string, ref: string) =>
  `/states/${encodeURIComponent(state)}/compatibility/${encodeURIComponent(ref)}`;
export const harmonizationPath = (ref: string) => `/compatibility/provisions/${encodeURIComponent(ref)}`;
