/**
 * Who has joint use of a device's data, and under which agreement (issue 18 §6, decision 0063).
 * Whoever sees the device sees the list; its owners' administrators grant joint use to a partner
 * inspectorate or to the state's authority, citing an agreement in force, and withdraw it — each
 * a logged device change, effective at once.
 */
import { useState } from 'react';
import { type DeviceItem, type JointUse, monitoringApi } from '../../api/monitoring.js';
import { api } from '../../api/registry.js';
import { Async, ErrorState, useLoad } from '../../components/async.js';
import { Section } from '../../components/Page.js';
import { Table } from '../../components/Table.js';
import { useSubmit } from '../../components/useSubmit.js';
import { formatDate } from '../../i18n/format.js';
import { useT } from '../../i18n/I18nProvider.js';

export function JointUseSection({ device, onChanged }: { device: DeviceItem; onChanged: () => void }) {
  const t = useT();
  const uses = useLoad(() => monitoringApi.jointUses(device.id), [device.id, device.changes]);
  const manage = device.access.includes('manage');
  const [done, setDone] = useState<string | undefined>(undefined);
  const withdraw = useSubmit(async (organisation: string) => {
    const r = await monitoringApi.withdrawJointUse(device.id, { organisation });
    setDone(t('devices.jointUse.withdrawn', { organisation, logIndex: r.logIndex }));
    onChanged();
  });
  return (
    <Section title={t('devices.jointUse.title')}>
      <p className="muted">{t('devices.jointUse.lead')}</p>
      <p role="status" data-testid="joint-use-done">
        {done}
      </p>
      <Async value={uses} what={t('devices.jointUse.title')}>
        {(page) => (
          <Table<JointUse>
            caption={t('devices.jointUse.caption', { count: page.items.length, id: device.id })}
            columns={[
              {
                key: 'organisation',
                header: t('devices.jointUse.col.organisation'),
                render: (u) => u.organisation,
              },
              {
                key: 'agreement',
                header: t('devices.jointUse.col.agreement'),
                render: (u) => u.agreement ?? t('devices.jointUse.atRegistration'),
              },
              {
                key: 'reference',
                header: t('devices.jointUse.col.reference'),
                render: (u) => u.reference ?? '—',
              },
              {
                key: 'since',
                header: t('devices.jointUse.col.since'),
                render: (u) => (u.at ? formatDate(u.at) : '—'),
              },
              {
                key: 'log',
                header: t('devices.jointUse.col.log'),
                render: (u) => (u.logIndex >= 0 ? <span className="mono">{u.logIndex}</span> : '—'),
              },
              ...(manage
                ? [
                    {
                      key: 'withdraw',
                      header: t('devices.jointUse.withdraw'),
                      render: (u: JointUse) => (
                        <button
                          type="button"
                          disabled={withdraw.busy}
                          aria-label={t('devices.jointUse.withdrawLabel', { organisation: u.organisation })}
                          onClick={() => void withdraw.run(u.organisation)}
                        >
                          {t('devices.jointUse.withdraw')}
                        </button>
                      ),
                    },
                  ]
                : []),
            ]}
            rows={page.items}
            rowKey={(u) => u.organisation}
            empty={t('devices.jointUse.none')}
          />
        )}
      </Async>
      {withdraw.error !== undefined && <ErrorState error={withdraw.error} />}
      {manage && (
        <GrantForm
          device={device}
          onDone={(organisation, logIndex) => {
            setDone(t('devices.jointUse.granted', { organisation, logIndex }));
            onChanged();
          }}
        />
      )}
    </Section>
  );
}

/** The organisations and agreements offered come from the registry; the server checks the tie. */
function GrantForm({ device, onDone }: { device: DeviceItem; onDone(org: string, logIndex: number): void }) {
  const t = useT();
  const choices = useLoad(async () => {
    const [organisations, agreements] = await Promise.all([
      api.organisations(),
      api.agreements({ state: device.state }),
    ]);
    return {
      organisations: organisations.filter(
        (o) => !device.owners.includes(o.id) && !device.jointUse.includes(o.id),
      ),
      agreements: agreements.filter((a) => a.status === 'in-force'),
    };
  }, [device.id, device.changes]);
  const [organisation, setOrganisation] = useState('');
  const [agreement, setAgreement] = useState('');
  const [reference, setReference] = useState('');
  const { busy, error, onSubmit } = useSubmit(async () => {
    const r = await monitoringApi.grantJointUse(device.id, {
      organisation,
      agreement,
      ...(reference.trim() ? { reference: reference.trim() } : {}),
    });
    setOrganisation('');
    setReference('');
    onDone(organisation, r.logIndex);
  });
  return (
    <Async value={choices} what={t('devices.jointUse.grantTitle')}>
      {(c) => (
        <form aria-labelledby="ju-form" onSubmit={onSubmit} className="stack">
          <h3 id="ju-form">{t('devices.jointUse.grantTitle')}</h3>
          <div className="field">
            <label htmlFor="ju-org">{t('devices.jointUse.organisation')}</label>
            <select
              id="ju-org"
              required
              value={organisation}
              onChange={(e) => setOrganisation(e.target.value)}
            >
              <option value="">{t('devices.jointUse.choose')}</option>
              {c.organisations.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.id} — {o.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="ju-agreement">{t('devices.jointUse.agreement')}</label>
            <select
              id="ju-agreement"
              required
              value={agreement}
              onChange={(e) => setAgreement(e.target.value)}
            >
              <option value="">{t('devices.jointUse.choose')}</option>
              {c.agreements.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.id} — {a.title}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="ju-reference">{t('devices.jointUse.reference')}</label>
            <input
              id="ju-reference"
              maxLength={200}
              value={reference}
              onChange={(e) => setReference(e.target.value)}
            />
          </div>
          {error !== undefined && <ErrorState error={error} />}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('devices.jointUse.working') : t('devices.jointUse.grant')}
          </button>
        </form>
      )}
    </Async>
  );
}
