import { useState } from 'react';
// The duties the server accepts (its schema's enum): one list for both, in the domain.
import { INSTITUTIONAL_DUTIES, type InstitutionalDuty } from '../../../../src/domain/legal/index.js';
import { type Instrument, legalApi, type Obligation } from '../../api/legal.js';
import { api, type Organisation } from '../../api/registry.js';
import { Async, EmptyState, useLoad } from '../../components/async.js';
import { Page, Section } from '../../components/Page.js';
import { type Column, Table } from '../../components/Table.js';
import { formatDate } from '../../i18n/format.js';
import { type MessageKey, type Translate, useT } from '../../i18n/I18nProvider.js';
import { failureText } from '../../i18n/problems.js';
import { dutyName, institutionKindName } from '../../i18n/terms.js';
import { Link } from '../../router.js';
import { useSession } from '../../session.js';

/** `/legal`: the legal framework's screens in one place (issue 19 item 6). */
export default function LegalHub() {
  const t = useT();
  const { me } = useSession();
  const own = me?.state ?? undefined;
  const links: { to: string; title: MessageKey; hint: MessageKey }[] = [
    { to: '/legal/instruments', title: 'legal.register', hint: 'legal.registerHint' },
    { to: '/compatibility', title: 'legal.compatibility', hint: 'legal.compatibilityHint' },
    {
      to: own ? `/states/${encodeURIComponent(own)}/declarations` : '/legal/declarations',
      title: 'legal.declarations',
      hint: 'legal.declarationsHint',
    },
    {
      to: own ? `/states/${encodeURIComponent(own)}/institutions` : '/legal/institutions',
      title: 'legal.roles',
      hint: 'legal.rolesHint',
    },
  ];
  return (
    <Page title={t('legal.title')} lead={t('legal.lead')}>
      <ul className="link-list">
        {links.map((l) => (
          <li key={l.to}>
            <Link to={l.to}>{t(l.title)}</Link> <span className="muted">{t(l.hint)}</span>
          </li>
        ))}
      </ul>
    </Page>
  );
}

/** `/legal/declarations` and `/legal/institutions` for an inspectorate: pick a state. */
export function StatePicker({ what }: { what: 'declarations' | 'institutions' }) {
  const t = useT();
  const states = useLoad(() => api.states(), []);
  return (
    <Page
      title={t(what === 'declarations' ? 'legal.declarations' : 'legal.roles')}
      lead={t('legal.pickState')}
    >
      <Async value={states} what={t('common.what.states')}>
        {(list) => (
          <ul className="link-list">
            {list.map((s) => (
              <li key={s.code}>
                <Link to={`/states/${encodeURIComponent(s.code)}/${what}`}>
                  <span className="mono">{s.code}</span> {s.name}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </Async>
    </Page>
  );
}

/** What an obligation asks, in words: a report and its deadline, a notice, an access right, a duty. */
export function obligationText(t: Translate, o: Obligation): string {
  switch (o.kind) {
    case 'report':
      return t('legal.ob.report', {
        type: o.reportType,
        rule:
          o.deadline.anchor === 'annual'
            ? t('legal.rule.annual', { month: o.deadline.month, day: o.deadline.day })
            : o.deadline.anchor === 'without-delay'
              ? t('legal.rule.withoutDelay')
              : t('legal.rule.days', { days: o.deadline.days, anchor: o.deadline.anchor }),
      });
    case 'notice':
      return t('legal.ob.notice', {
        subject: o.subject,
        lead: 'hours' in o.leadTime ? t('legal.hours', { hours: o.leadTime.hours }) : o.leadTime.as,
      });
    case 'access':
      return t('legal.ob.access', {
        lead:
          'hours' in o.noticePeriod ? t('legal.hours', { hours: o.noticePeriod.hours }) : o.noticePeriod.as,
      });
    case 'duty':
      return t('legal.ob.duty', {
        duty: dutyName(t, o.duty),
        holder: institutionKindName(t, o.holder ?? 'state-authority'),
      });
  }
}

type ProvisionRow = Instrument['provisions'][number];

function provisionColumns(t: Translate): Column<ProvisionRow>[] {
  return [
    {
      key: 'ref',
      header: t('legal.col.ref'),
      render: (p) => <span className="mono">{p.ref}</span>,
      sortValue: (p) => p.ref,
    },
    { key: 'text', header: t('legal.col.text'), render: (p) => p.text, sortValue: (p) => p.text },
    {
      key: 'obligations',
      header: t('legal.col.obligates'),
      render: (p) =>
        (p.obligations ?? []).length === 0 ? (
          ''
        ) : (
          <ul className="plain">
            {(p.obligations ?? []).map((o, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a provision's obligations have no identity of their own
              <li key={i}>{obligationText(t, o)}</li>
            ))}
          </ul>
        ),
    },
  ];
}

/** One instrument with its provisions, what each obligates, and the citation every decision uses. */
function InstrumentSection({ id }: { id: string }) {
  const t = useT();
  const data = useLoad(() => legalApi.instrument(id), [id]);
  return (
    <Async value={data} what={t('legal.what.instrument')}>
      {(i) => (
        <>
          <p className="muted">
            {t('legal.instrumentFacts', {
              kind: i.kind,
              version: i.version,
              parties: i.parties.join(', '),
              inForce: i.inForce ? formatDate(i.inForce) : '—',
            })}
          </p>
          <Table
            caption={t('legal.provisionsOf', { title: i.title })}
            columns={provisionColumns(t)}
            rows={i.provisions}
            rowKey={(p) => p.ref}
            filterLabel={t('legal.filterProvisions')}
          />
        </>
      )}
    </Async>
  );
}

/** `/legal/instruments`: the register, each instrument opened on demand. */
export function RegisterPage() {
  const t = useT();
  const list = useLoad(() => legalApi.instruments(), []);
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  return (
    <Page title={t('legal.register')} lead={t('legal.registerLead')}>
      <Async value={list} what={t('legal.what.register')}>
        {(items) =>
          items.length === 0 ? (
            <EmptyState title={t('legal.noInstruments')} />
          ) : (
            items.map((i) => (
              <Section key={i.id} title={i.title}>
                <button
                  type="button"
                  aria-expanded={open.has(i.id)}
                  onClick={() =>
                    setOpen((s) => {
                      const n = new Set(s);
                      if (n.has(i.id)) n.delete(i.id);
                      else n.add(i.id);
                      return n;
                    })
                  }
                >
                  {open.has(i.id) ? t('legal.hideProvisions') : t('legal.showProvisions')}
                </button>
                {open.has(i.id) && <InstrumentSection id={i.id} />}
              </Section>
            ))
          )
        }
      </Async>
    </Page>
  );
}

interface RoleDraft {
  duty: InstitutionalDuty;
  organisation: string;
  basis: string;
}

/** `/states/:code/institutions`: who holds which duty; the state's administrators change it. */
export function RolesPage({ state }: { state: string }) {
  const t = useT();
  const { me } = useSession();
  const data = useLoad(
    async () => ({
      roles: await legalApi.roles(state),
      orgs: (await api.organisations()).filter((o: Organisation) => o.state === state),
    }),
    [state],
  );
  const canEdit =
    me?.state === state && me.roles.includes('admin') && me.organisationKind === 'state-authority';
  return (
    <Page title={t('roles.title', { state })} lead={t('roles.lead')}>
      <Async value={data} what={t('legal.what.roles')}>
        {({ roles, orgs }) =>
          canEdit ? (
            <RolesEditor
              state={state}
              version={roles.version}
              initial={roles.roles.map((r) => ({
                duty: r.duty,
                organisation: r.organisation,
                basis: r.basis ?? '',
              }))}
              orgs={orgs}
              saved={data.reload}
            />
          ) : roles.roles.length === 0 ? (
            <EmptyState title={t('roles.none')} />
          ) : (
            <Table
              caption={t('roles.caption', { state, version: roles.version })}
              columns={[
                {
                  key: 'duty',
                  header: t('roles.col.duty'),
                  render: (r) => <span title={r.duty}>{dutyName(t, r.duty)}</span>,
                  sortValue: (r) => dutyName(t, r.duty),
                },
                {
                  key: 'org',
                  header: t('roles.col.institution'),
                  render: (r) => orgs.find((o) => o.id === r.organisation)?.name ?? r.organisation,
                  sortValue: (r) => r.organisation,
                },
                { key: 'basis', header: t('roles.col.basis'), render: (r) => r.basis ?? '' },
              ]}
              rows={roles.roles}
              rowKey={(r) => `${r.duty}/${r.organisation}`}
            />
          )
        }
      </Async>
    </Page>
  );
}

// long: the roles table as an editable form, its rows' controls each labelled for screen readers
function RolesEditor({
  state,
  version,
  initial,
  orgs,
  saved,
}: {
  state: string;
  version: number;
  initial: RoleDraft[];
  orgs: readonly Organisation[];
  saved: () => void;
}) {
  const t = useT();
  const [rows, setRows] = useState<RoleDraft[]>(initial);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const set = (i: number, patch: Partial<RoleDraft>) =>
    setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const save = async () => {
    try {
      const res = await legalApi.setRoles(state, {
        baseVersion: version,
        roles: rows.map((r) => ({
          duty: r.duty,
          organisation: r.organisation,
          ...(r.basis.trim() === '' ? {} : { basis: r.basis.trim() }),
        })),
      });
      setStatus({ ok: true, text: t('roles.saved', { version: res.version, index: res.logIndex }) });
      saved();
    } catch (e) {
      setStatus({ ok: false, text: failureText(t, e) });
    }
  };
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <table>
        <caption>{t('roles.caption', { state, version })}</caption>
        <thead>
          <tr>
            <th scope="col">{t('roles.col.duty')}</th>
            <th scope="col">{t('roles.col.institution')}</th>
            <th scope="col">{t('roles.col.basis')}</th>
            <th scope="col">{t('roles.col.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows being edited have no identity yet
            <tr key={i}>
              <td>
                <select
                  aria-label={t('roles.dutyOf', { n: i + 1 })}
                  value={r.duty}
                  onChange={(e) => set(i, { duty: e.target.value as InstitutionalDuty })}
                >
                  {INSTITUTIONAL_DUTIES.map((d) => (
                    <option key={d} value={d}>
                      {dutyName(t, d)}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <select
                  aria-label={t('roles.institutionOf', { n: i + 1 })}
                  value={r.organisation}
                  onChange={(e) => set(i, { organisation: e.target.value })}
                >
                  {orgs.map((o) => (
                    <option key={o.id} value={o.id}>
                      {o.name}
                    </option>
                  ))}
                </select>
              </td>
              <td>
                <input
                  aria-label={t('roles.basisOf', { n: i + 1 })}
                  value={r.basis}
                  onChange={(e) => set(i, { basis: e.target.value })}
                />
              </td>
              <td>
                <button type="button" onClick={() => setRows((rs) => rs.filter((_x, j) => j !== i))}>
                  {t('roles.remove')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        <button
          type="button"
          disabled={orgs.length === 0}
          onClick={() =>
            setRows((rs) => [...rs, { duty: 'submit-reports', organisation: orgs[0]?.id ?? '', basis: '' }])
          }
        >
          {t('roles.add')}
        </button>
        <button type="submit" className="primary">
          {t('roles.save')}
        </button>
      </div>
      {status && (
        <p
          className={status.ok ? 'notice notice-ok' : 'notice notice-error'}
          role={status.ok ? 'status' : 'alert'}
        >
          {status.text}
        </p>
      )}
    </form>
  );
}
