import { useState } from 'react';
import { JOINT_ACTIVITIES } from '../../../../src/domain/inspections/index.js';
import { type Assignment, type Inspection, inspectionsApi } from '../../api.js';
import { ErrorState } from '../../components/async.js';
import { Section } from '../../components/Page.js';
import { useSubmit } from '../../components/useSubmit.js';
import { useT } from '../../i18n/I18nProvider.js';

/** An activity as the domain names it (a code, the same in every language), shown as an example. */
const EXAMPLE_ACTIVITY = JOINT_ACTIVITIES[1];

/** Who does which activity of a joint inspection: one inspectorate per activity. */
export function ActivitiesForm({ inspection, onDone }: { inspection: Inspection; onDone(): void }) {
  const t = useT();
  const initial: Assignment[] = inspection.activities?.length
    ? inspection.activities.map((a) => ({ ...a }))
    : [{ activity: '', inspectorate: inspection.participants[0] ?? '' }];
  const [rows, setRows] = useState<Assignment[]>(initial);
  const [saved, setSaved] = useState(false);
  const set = (i: number, patch: Partial<Assignment>) =>
    setRows(rows.map((r, n) => (n === i ? { ...r, ...patch } : r)));
  const { busy, error, onSubmit } = useSubmit(async () => {
    setSaved(false);
    const assignments = rows
      .map((r) => ({ activity: r.activity.trim(), inspectorate: r.inspectorate }))
      .filter((r) => r.activity !== '');
    await inspectionsApi.assign(inspection.id, {
      activities: assignments.map((a) => a.activity),
      assignments,
    });
    setSaved(true);
    onDone();
  });
  return (
    <Section title={t('insp.act.title')}>
      <form onSubmit={onSubmit} className="stack" aria-label={t('insp.act.form')}>
        <table className="compact">
          <caption>{t('insp.act.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('insp.act.activity')}</th>
              <th scope="col">{t('insp.act.inspectorate')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place, by position
              <tr key={i}>
                <td>
                  <input
                    aria-label={t('insp.act.activityN', { n: i + 1 })}
                    value={r.activity}
                    placeholder={EXAMPLE_ACTIVITY}
                    onChange={(e) => set(i, { activity: e.target.value })}
                  />
                </td>
                <td>
                  <select
                    aria-label={t('insp.act.inspectorateFor', { n: i + 1 })}
                    value={r.inspectorate}
                    onChange={(e) => set(i, { inspectorate: e.target.value })}
                  >
                    {inspection.participants.map((p) => (
                      <option key={p} value={p}>
                        {p}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="row">
          <button
            type="button"
            onClick={() =>
              setRows([...rows, { activity: '', inspectorate: inspection.participants[0] ?? '' }])
            }
          >
            {t('insp.act.add')}
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('insp.saving') : t('insp.act.save')}
          </button>
        </div>
        {saved && (
          <p role="status" className="small">
            {t('insp.act.saved')}
          </p>
        )}
        {error !== undefined && <ErrorState error={error} />}
      </form>
    </Section>
  );
}
