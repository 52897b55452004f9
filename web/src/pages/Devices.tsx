/**
 * Remote monitoring screens (issue 18 item 7): per facility the devices and their continuity of
 * knowledge; per device its CoK intervals with their reasons, the alarm → case trail and — for
 * the owning inspectorates and joint users only — the timeline of its events. The state sees its
 * devices' state of health, not what they recorded (the information barrier, decision 0029).
 */
import { useState } from 'react';
import { reverificationBytes } from '../../../src/domain/monitoring/reverification.js';
import type { ErrorDetail } from '../api/client.js';
import { type DeviceHealth, type DeviceItem, monitoringApi, type Reverified } from '../api/monitoring.js';
import { Async, EmptyState, ErrorState, useLoad } from '../components/async.js';
import { KeyFileField } from '../components/KeyFileField.js';
import { Page, Section } from '../components/Page.js';
import { type Column, Pager, Table } from '../components/Table.js';
import { useSubmit } from '../components/useSubmit.js';
import { formatDate } from '../i18n/format.js';
import { hasMessage, type Translate, useT } from '../i18n/I18nProvider.js';
import { detailText, problemText } from '../i18n/problems.js';
import { codeLabel } from '../i18n/terms.js';
import { Link, useSearchParam } from '../router.js';
import type { SigningKey } from '../signing.js';
import { DeclaredActivities } from './devices/Activities.js';
import { JointUseSection } from './devices/JointUse.js';
import { RefusedBatches } from './devices/Refusals.js';
import { alarmLabel } from './Monitoring.js';

const PAGE = 200;

function cokLabel(cok: string, t: Translate): string {
  const key = `devices.cok.${cok}`;
  return hasMessage(key) ? t(key) : cok;
}

function reasonLabel(reason: string, t: Translate): string {
  const key = `devices.reason.${reason}`;
  return hasMessage(key) ? t(key) : reason;
}

/**
 * What an interval means, from its reason and start, then what opened it from its cause's values
 * (a broken chain: which batches are missing, decision 0052). The API's `detail` keeps the
 * server's English wording for API and CLI readers.
 */
function intervalDetail(i: { reason: string; from: string; cause?: ErrorDetail }, t: Translate): string {
  const key = `devices.intervalDetail.${i.reason}`;
  const from = formatDate(i.from);
  const what = hasMessage(key) ? t(key, { from }) : t('devices.intervalDetail.other', { from });
  const cause = i.cause === undefined ? undefined : problemText(t, i.cause);
  return cause === undefined ? what : `${what} ${cause}`;
}

/** What a device alarm means, from its code and values (a gate's counts), else its code and time. */
function alarmDetail(a: { code: string; at: string; values?: ErrorDetail['values'] }, t: Translate): string {
  const said = a.values === undefined ? undefined : problemText(t, { code: a.code, values: a.values });
  if (said !== undefined && said !== detailText(t, a.code)) return said;
  const key = `devices.alarmDetail.${a.code}`;
  // A gate's alarm is about a whole UTC day (its `at` is the day's midnight).
  const at = formatDate(a.code === 'GATE_MISMATCH' ? a.at.slice(0, 10) : a.at);
  return hasMessage(key) ? t(key, { at }) : t('devices.alarmDetail.other', { at });
}

function closedByLabel(by: string | null, t: Translate): string {
  if (by === null) return t('devices.interval.open');
  const key = `devices.closedBy.${by}`;
  return hasMessage(key) ? t(key) : by;
}

function CokBadge({ cok }: { cok: string }) {
  const t = useT();
  return <span className={`badge cok-${cok}`}>{cokLabel(cok, t)}</span>;
}

/** GET /api/devices by facility: each device with its kind, where it is and its CoK. */
export default function DevicesPage() {
  const t = useT();
  const [facility, setFacility] = useSearchParam('facility');
  const data = useLoad(() => monitoringApi.devices(facility || undefined, PAGE, 0), [facility]);
  const columns: Column<DeviceItem>[] = [
    {
      key: 'id',
      header: t('devices.col.device'),
      render: (d) => (
        <Link to={`/devices/${encodeURIComponent(d.id)}`} className="mono">
          {d.id}
        </Link>
      ),
    },
    { key: 'kind', header: t('devices.col.kind'), render: (d) => codeLabel('devices.kind.', d.kind, t) },
    {
      key: 'facility',
      header: t('devices.col.facility'),
      render: (d) => (
        <button type="button" className="link" onClick={() => setFacility(d.facility)}>
          {d.facility}
        </button>
      ),
    },
    { key: 'where', header: t('devices.col.watches'), render: (d) => d.kmp ?? d.containment ?? '—' },
    { key: 'cok', header: t('devices.col.cok'), render: (d) => <CokBadge cok={d.cok} /> },
    {
      key: 'status',
      header: t('devices.col.lifecycle'),
      render: (d) => codeLabel('devices.lifecycle.', d.status, t),
    },
    {
      key: 'seen',
      header: t('devices.col.lastSeen'),
      render: (d) => (d.lastSeen ? formatDate(d.lastSeen) : '—'),
    },
  ];
  return (
    <Page title={t('devices.title')} lead={t('devices.lead')}>
      {facility && (
        <p className="row">
          {t('devices.facilityFilter', { facility })}{' '}
          <button type="button" onClick={() => setFacility(undefined)}>
            {t('devices.allFacilities')}
          </button>
        </p>
      )}
      <Async value={data} what={t('devices.what')}>
        {(page) =>
          page.items.length === 0 ? (
            <EmptyState title={t('devices.none')}>
              <p>{t('devices.noneHint')}</p>
            </EmptyState>
          ) : (
            <Table
              caption={t('devices.caption', { count: page.total })}
              columns={columns}
              rows={page.items}
              rowKey={(d) => d.id}
            />
          )
        }
      </Async>
      {facility && <DeclaredActivities facility={facility} />}
    </Page>
  );
}

type Interval = DeviceHealth['intervals'][number];
type DeviceAlarm = DeviceHealth['alarms'][number];

function Health({ id, health }: { id: string; health: DeviceHealth }) {
  const t = useT();
  const intervalColumns: Column<Interval>[] = [
    { key: 'reason', header: t('devices.col.reason'), render: (i) => reasonLabel(i.reason, t) },
    { key: 'status', header: t('devices.col.cok'), render: (i) => <CokBadge cok={i.status} /> },
    { key: 'from', header: t('devices.col.from'), render: (i) => formatDate(i.from) },
    { key: 'to', header: t('devices.col.to'), render: (i) => (i.to ? formatDate(i.to) : '—') },
    { key: 'closed', header: t('devices.col.closedBy'), render: (i) => closedByLabel(i.closedBy, t) },
    { key: 'detail', header: t('devices.col.detail'), render: (i) => intervalDetail(i, t) },
  ];
  const alarmColumns: Column<DeviceAlarm>[] = [
    { key: 'at', header: t('devices.col.at'), render: (a) => formatDate(a.at) },
    {
      key: 'code',
      header: t('devices.col.alarm'),
      // The alarm in the user's language; its stable code stays at hand for the API and the case.
      render: (a) => <span title={a.code}>{alarmLabel(a.code, t)}</span>,
    },
    { key: 'detail', header: t('devices.col.detail'), render: (a) => alarmDetail(a, t) },
    {
      key: 'case',
      header: t('devices.col.case'),
      render: (a) =>
        a.caseId ? (
          <Link to={`/cases/${encodeURIComponent(a.caseId)}`}>{a.caseId}</Link>
        ) : (
          t('devices.caseNotYet')
        ),
    },
  ];
  return (
    <>
      <dl className="facts">
        <dt>{t('devices.col.cok')}</dt>
        <dd>
          <CokBadge cok={health.cok} />
        </dd>
        <dt>{t('devices.col.lifecycle')}</dt>
        <dd>{codeLabel('devices.lifecycle.', health.lifecycle, t)}</dd>
        <dt>{t('devices.lastSeq')}</dt>
        <dd className="mono">{health.lastSeq}</dd>
        <dt>{t('devices.col.lastSeen')}</dt>
        <dd>{health.lastSeen ? formatDate(health.lastSeen) : '—'}</dd>
      </dl>
      <Section title={t('devices.intervals')}>
        <Table
          caption={t('devices.intervalsCaption', { id })}
          columns={intervalColumns}
          rows={health.intervals}
          rowKey={(i) => `${i.reason}:${i.from}`}
          empty={t('devices.intervalsNone')}
        />
      </Section>
      <Section title={t('devices.alarms')}>
        <Table
          caption={t('devices.alarmsCaption', { id })}
          columns={alarmColumns}
          rows={health.alarms}
          rowKey={(a) => `${a.code}:${a.at}`}
          empty={t('devices.alarmsNone')}
        />
      </Section>
    </>
  );
}

/**
 * Where a page of the timeline starts: the newer page's `next`, and the time of that page's
 * oldest event, up to which this page shows the gaps (none on the first page: up to now).
 */
interface TimelineStart {
  readonly after?: string | undefined;
  readonly before?: string | undefined;
}

/**
 * The device's events with the CoK intervals (its gaps) between them, newest first (decision
 * 0105): the analyst's view opens on the latest events, and each page follows the previous one's
 * cursor, so a page costs what it shows however long the device's history.
 */
function Timeline({ id, intervals }: { id: string; intervals: readonly Interval[] }) {
  const t = useT();
  // The pages opened so far, for Previous; another device starts again from the newest.
  const [opened, setOpened] = useState<{ id: string; starts: readonly TimelineStart[] }>({
    id,
    starts: [{}],
  });
  const starts = opened.id === id ? opened.starts : [{}];
  const at = starts.length - 1;
  const start = starts[at] as TimelineStart;
  const data = useLoad(() => monitoringApi.events(id, PAGE, start.after), [id, start.after]);
  return (
    <Section title={t('devices.timeline')}>
      <Async value={data} what={t('devices.timelineWhat')}>
        {(page) => {
          const pages = Math.max(1, Math.ceil(page.total / PAGE), at + 1);
          const last = page.next === null;
          // A page shows the gaps that began from its oldest event up to the newer page's oldest
          // (the first page: up to now; the last: since the start), so each gap is on one page.
          const oldest = page.items[page.items.length - 1]?.time;
          const within = (time: string) =>
            (last || oldest === undefined || time >= oldest) &&
            (start.before === undefined || time < start.before);
          const onPage = (n: number) =>
            setOpened({
              id,
              starts:
                n > at
                  ? [...starts, { after: page.next ?? undefined, before: oldest }]
                  : starts.slice(0, n + 1),
            });
          // Newest first; a gap that began at an event's instant comes before it (it followed it).
          const rows = [
            ...intervals
              .filter((i) => within(i.from))
              .map((i) => ({
                key: `g:${i.reason}:${i.from}`,
                at: i.from,
                what: reasonLabel(i.reason, t),
                info: i.to ? `→ ${formatDate(i.to)}` : t('devices.interval.open'),
                type: undefined as string | undefined,
                gap: true,
              })),
            ...page.items.map((e) => ({
              key: `e:${e.seq}:${e.index}`,
              at: e.time,
              what: codeLabel('devices.event.', e.type, t),
              type: e.type as string | undefined,
              info: Object.entries(e.data)
                .map(([k, v]) => `${k}=${String(v)}`)
                .join(', '),
              gap: false,
            })),
          ].sort((a, b) => (a.at > b.at ? -1 : a.at < b.at ? 1 : 0));
          const caption = t('devices.timelineCaption', { count: page.total });
          const table = (
            <Table
              caption={caption}
              columns={[
                { key: 'at', header: t('devices.col.at'), render: (r) => formatDate(r.at) },
                {
                  key: 'what',
                  header: t('devices.col.event'),
                  render: (r) =>
                    r.gap ? (
                      <strong>{r.what}</strong>
                    ) : (
                      <span>
                        {r.what} <span className="mono muted small">{r.type}</span>
                      </span>
                    ),
                },
                { key: 'detail', header: t('devices.col.detail'), render: (r) => r.info },
              ]}
              rows={rows}
              rowKey={(r) => r.key}
              empty={t('devices.timelineNone')}
              windowRows={Math.max(1, rows.length)}
            />
          );
          return pages > 1 ? (
            <>
              {table}
              <Pager caption={caption} page={at} pages={pages} last={last} onPage={onPage} />
            </>
          ) : (
            table
          );
        }}
      </Async>
    </Section>
  );
}

/**
 * An inspector of an owner states that the device was re-verified on site (decision 0038): the
 * body names the device's next change number, so the signed bytes apply once.
 */
function ReverifyForm({ device, onDone }: { device: DeviceItem; onDone(r: Reverified): void }) {
  const t = useT();
  const [note, setNote] = useState('');
  const [signingKey, setKey] = useState<SigningKey | undefined>(undefined);
  const { busy, error, onSubmit } = useSubmit(async () => {
    if (!signingKey) return;
    // These exact bytes are signed and sent: the server logs them as the device's next change.
    const bytes = reverificationBytes(device.id, device.changes + 1, note.trim() || undefined);
    onDone(await monitoringApi.reverify(device.id, bytes, signingKey.sign(bytes)));
    setNote('');
  });
  return (
    <Section title={t('devices.reverify.title')}>
      <p>{t('devices.reverify.lead')}</p>
      <form onSubmit={onSubmit} className="stack" aria-label={t('devices.reverify.title')}>
        <div className="field">
          <label htmlFor="rv-note">{t('devices.reverify.note')}</label>
          <textarea id="rv-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
        <KeyFileField id="rv-key" label={t('devices.reverify.key')} signingKey={signingKey} setKey={setKey} />
        {error !== undefined && <ErrorState error={error} />}
        <button type="submit" className="primary" disabled={busy || !signingKey}>
          {busy ? t('devices.reverify.signing') : t('devices.reverify.submit')}
        </button>
      </form>
    </Section>
  );
}

export function DevicePage({ id }: { id: string }) {
  const t = useT();
  const device = useLoad(() => monitoringApi.status(id), [id]);
  const meta = useLoad(() => monitoringApi.device(id), [id]);
  const [done, setDone] = useState<Reverified | undefined>(undefined);
  return (
    <Page title={t('devices.deviceTitle', { id })} lead={t('devices.deviceLead')}>
      <p>
        <Link to="/devices">{t('devices.back')}</Link>
      </p>
      <p role="status" data-testid="reverified">
        {done && t('devices.reverify.done', { closed: done.closed, logIndex: done.logIndex })}
      </p>
      <Async value={device} what={t('devices.what')}>
        {(health) => (
          <>
            <Health id={id} health={health} />
            <RefusedBatches id={id} />
            <Async value={meta} what={t('devices.what')}>
              {(d) => (
                <>
                  {d.access.includes('reverify') && (
                    <ReverifyForm
                      device={d}
                      onDone={(r) => {
                        setDone(r);
                        // The CoK status and the change number both moved: read them again.
                        device.reload();
                        meta.reload();
                      }}
                    />
                  )}
                  <JointUseSection
                    device={d}
                    onChanged={() => {
                      // The change number and who reads the data moved: read the device again.
                      meta.reload();
                    }}
                  />
                  {d.access.includes('data') ? (
                    <Timeline id={id} intervals={health.intervals} />
                  ) : (
                    <p className="muted">{t('devices.barrier')}</p>
                  )}
                </>
              )}
            </Async>
          </>
        )}
      </Async>
    </Page>
  );
}
