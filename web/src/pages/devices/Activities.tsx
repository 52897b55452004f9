/**
 * The activities a state declares at a facility's containments (issue 18 §5, decision 0042):
 * a camera trigger inside a declared window while the containment's seal is open is expected, not
 * CAMERA_UNDECLARED. The state's submitters and administrators declare them here; whoever may
 * read the state's data sees the list.
 */
import { useState } from 'react';
import { type ActivityPage, monitoringApi } from '../../api/monitoring.js';
import { Async, useLoad } from '../../components/async.js';
import { Section } from '../../components/Page.js';
import { Table } from '../../components/Table.js';
import { useSubmit } from '../../components/useSubmit.js';
import { formatDate } from '../../i18n/format.js';
import { useT } from '../../i18n/I18nProvider.js';
import { failureText, ProblemList } from '../../i18n/problems.js';
import { useMe } from '../../session.js';

type Activity = ActivityPage['items'][number];

/** A `datetime-local` value (the user's own clock) as an RFC 3339 instant. */
function instant(local: string): string {
  return new Date(local).toISOString();
}

export function DeclaredActivities({ facility }: { facility: string }) {
  const t = useT();
  const me = useMe();
  const data = useLoad(() => monitoringApi.activities(facility, 100, 0), [facility]);
  const canDeclare = me.state !== null && me.roles.some((r) => r === 'submitter' || r === 'admin');
  return (
    <Section title={t('activities.title')}>
      <p className="muted">{t('activities.lead')}</p>
      <Async value={data} what={t('activities.what')}>
        {(page) => (
          <Table<Activity>
            caption={t('activities.caption', { facility, count: page.total })}
            columns={[
              { key: 'containment', header: t('activities.col.containment'), render: (a) => a.containment },
              { key: 'from', header: t('activities.col.from'), render: (a) => formatDate(a.from) },
              { key: 'to', header: t('activities.col.to'), render: (a) => formatDate(a.to) },
              { key: 'description', header: t('activities.col.description'), render: (a) => a.description },
              { key: 'by', header: t('activities.col.declared'), render: (a) => formatDate(a.declaredAt) },
            ]}
            rows={page.items}
            rowKey={(a) => a.id}
            empty={t('activities.none')}
          />
        )}
      </Async>
      {canDeclare && <DeclareForm facility={facility} onDone={data.reload} />}
    </Section>
  );
}

function DeclareForm({ facility, onDone }: { facility: string; onDone: () => void }) {
  const t = useT();
  const [containment, setContainment] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [description, setDescription] = useState('');
  const [done, setDone] = useState<Activity | undefined>(undefined);
  const { busy, error, onSubmit } = useSubmit(async () => {
    setDone(undefined);
    const a = await monitoringApi.declareActivity(facility, {
      containment,
      from: instant(from),
      to: instant(to),
      description,
    });
    setDone(a);
    onDone();
  });
  return (
    <form aria-labelledby="act-form" onSubmit={onSubmit}>
      <h3 id="act-form">{t('activities.declare')}</h3>
      <div className="field">
        <label htmlFor="act-containment">{t('activities.col.containment')}</label>
        <input
          id="act-containment"
          required
          value={containment}
          onChange={(e) => setContainment(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="act-from">{t('activities.col.from')}</label>
        <input
          id="act-from"
          type="datetime-local"
          required
          value={from}
          onChange={(e) => setFrom(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="act-to">{t('activities.col.to')}</label>
        <input
          id="act-to"
          type="datetime-local"
          required
          value={to}
          onChange={(e) => setTo(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor="act-description">{t('activities.col.description')}</label>
        <textarea
          id="act-description"
          required
          value={description}
          onChange={(e) => setDescription(e.target.value)}
        />
      </div>
      <button type="submit" disabled={busy}>
        {t('activities.submit')}
      </button>
      {error !== undefined && (
        <div className="field-error" role="alert" data-testid="activity-error">
          <p>{failureText(t, error)}</p>
          <ProblemList error={error} />
        </div>
      )}
      {done && (
        <p role="status" data-testid="activity-declared">
          {t('activities.declared', { logIndex: done.logIndex })}
        </p>
      )}
    </form>
  );
}
