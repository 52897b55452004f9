import { type FormEvent, useState } from 'react';
import {
  type CompatibilityEntryView,
  type CompatibilityStep,
  compatibilityApi,
} from '../../api/compatibility.js';
import { Async, ErrorState, useLoad } from '../../components/async.js';
import { KeyFileField } from '../../components/KeyFileField.js';
import { Page, Section } from '../../components/Page.js';
import { formatDate } from '../../i18n/format.js';
import { type MessageKey, useT } from '../../i18n/I18nProvider.js';
import { Link, useRouter } from '../../router.js';
import { useSession } from '../../session.js';
import type { SigningKey } from '../../signing.js';
import {
  CompatibilityBadge,
  harmonizationPath,
  ROW_STATUSES,
  type RowStatus,
  STATUS_KEYS,
} from './status.js';

type Status = Exclude<RowStatus, 'not-reviewed'>;
const STATUSES = ROW_STATUSES.filter((s): s is Status => s !== 'not-reviewed');
const STEPS = ['review', 'amendment', 'adoption'] as const;
type StepKind = (typeof STEPS)[number];
const STEP_KEYS: Record<StepKind, MessageKey> = {
  review: 'compat.step.review',
  amendment: 'compat.step.amendment',
  adoption: 'compat.step.adoption',
};
/** What may follow the last step (decision 0033): the server refuses anything else. */
const NEXT: Record<StepKind | 'none', readonly StepKind[]> = {
  none: ['review'],
  review: ['review', 'amendment'],
  amendment: ['review', 'amendment', 'adoption'],
  adoption: ['review'],
};

interface DomesticFields {
  act: string;
  section: string;
  text: string;
  inForceFrom: string;
}

function DomesticInputs({
  id,
  value,
  set,
}: {
  id: string;
  value: DomesticFields;
  set(v: DomesticFields): void;
}) {
  const t = useT();
  const field = (k: keyof DomesticFields, label: MessageKey, type = 'text') => (
    <div className="field">
      <label htmlFor={`${id}-${k}`}>{t(label)}</label>
      {k === 'text' ? (
        <textarea
          id={`${id}-${k}`}
          rows={4}
          value={value[k]}
          onChange={(e) => set({ ...value, [k]: e.target.value })}
        />
      ) : (
        <input
          id={`${id}-${k}`}
          type={type}
          value={value[k]}
          onChange={(e) => set({ ...value, [k]: e.target.value })}
        />
      )}
    </div>
  );
  return (
    <>
      {field('act', 'compat.field.act')}
      {field('section', 'compat.field.section')}
      {field('text', 'compat.field.text')}
      {field('inForceFrom', 'compat.field.inForceFrom', 'date')}
    </>
  );
}

const EMPTY: DomesticFields = { act: '', section: '', text: '', inForceFrom: '' };

function domesticOf(d: DomesticFields) {
  if (d.act.trim() === '' && d.section.trim() === '' && d.text.trim() === '') return undefined;
  return {
    act: d.act,
    section: d.section,
    text: d.text,
    ...(d.inForceFrom ? { inForceFrom: d.inForceFrom } : {}),
  };
}

/** Sets the entry directly (a new version, logged). */
function EditForm({ state, refName, done }: { state: string; refName: string; done(): void }) {
  const t = useT();
  const [status, setStatus] = useState<Status>('missing');
  const [domestic, setDomestic] = useState<DomesticFields>(EMPTY);
  const [note, setNote] = useState('');
  const [evidence, setEvidence] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const d = domesticOf(domestic);
      await compatibilityApi.put(state, refName, {
        status,
        ...(d ? { domestic: d } : {}),
        ...(note ? { note } : {}),
        ...(evidence ? { evidence } : {}),
      });
      done();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="form-grid" onSubmit={submit} aria-label={t('compat.editTitle')}>
      <div className="field">
        <label htmlFor="c-status">{t('compat.col.status')}</label>
        <select id="c-status" value={status} onChange={(e) => setStatus(e.target.value as Status)}>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {t(STATUS_KEYS[s])}
            </option>
          ))}
        </select>
      </div>
      <DomesticInputs id="c-dom" value={domestic} set={setDomestic} />
      <div className="field">
        <label htmlFor="c-note">{t('compat.field.note')}</label>
        <textarea id="c-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="c-evidence">{t('compat.field.evidence')}</label>
        <input id="c-evidence" value={evidence} onChange={(e) => setEvidence(e.target.value)} />
      </div>
      <button type="submit">{t('compat.save')}</button>
      {error !== undefined && <ErrorState error={error} />}
    </form>
  );
}

/** Signs and sends the next step of the review workflow with the state's key. */
function StepForm({
  state,
  refName,
  last,
  done,
}: {
  state: string;
  refName: string;
  last: CompatibilityStep | undefined;
  done(): void;
}) {
  const t = useT();
  const allowed = NEXT[last?.step ?? 'none'];
  const [step, setStep] = useState<StepKind>(allowed[0] ?? 'review');
  const [status, setStatus] = useState<Status>('missing');
  const [domestic, setDomestic] = useState<DomesticFields>(EMPTY);
  const [adoptedOn, setAdoptedOn] = useState('');
  const [note, setNote] = useState('');
  const [key, setKey] = useState<SigningKey | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!key) return;
    setError(undefined);
    const d = domesticOf(domestic);
    const body = {
      v: 1,
      type: 'custos/compatibility-step',
      state,
      provision: refName,
      seq: (last?.seq ?? 0) + 1,
      step,
      ...(step === 'review' || (step === 'adoption' && status !== 'implemented') ? { status } : {}),
      ...(d ? { domestic: d } : {}),
      ...(step === 'adoption' && adoptedOn ? { adoptedOn } : {}),
      ...(note ? { note } : {}),
    };
    // These exact bytes are signed and sent: the server keeps them as the state's signed step.
    const bytes = new TextEncoder().encode(JSON.stringify(body));
    try {
      await compatibilityApi.step(state, refName, bytes, key.sign(bytes));
      done();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="form-grid" onSubmit={submit} aria-label={t('compat.stepTitle')}>
      <div className="field">
        <label htmlFor="s-step">{t('compat.field.step')}</label>
        <select id="s-step" value={step} onChange={(e) => setStep(e.target.value as StepKind)}>
          {allowed.map((s) => (
            <option key={s} value={s}>
              {t(STEP_KEYS[s])}
            </option>
          ))}
        </select>
      </div>
      {step !== 'amendment' && (
        <div className="field">
          <label htmlFor="s-status">{t('compat.field.found')}</label>
          <select id="s-status" value={status} onChange={(e) => setStatus(e.target.value as Status)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(STATUS_KEYS[s])}
              </option>
            ))}
          </select>
        </div>
      )}
      <DomesticInputs id="s-dom" value={domestic} set={setDomestic} />
      {step === 'adoption' && (
        <div className="field">
          <label htmlFor="s-adopted">{t('compat.field.adoptedOn')}</label>
          <input
            id="s-adopted"
            type="date"
            value={adoptedOn}
            onChange={(e) => setAdoptedOn(e.target.value)}
          />
        </div>
      )}
      <div className="field">
        <label htmlFor="s-note">{t('compat.field.note')}</label>
        <textarea id="s-note" rows={2} value={note} onChange={(e) => setNote(e.target.value)} />
      </div>
      <KeyFileField id="s-key" label={t('compat.field.key')} signingKey={key} setKey={setKey} />
      <button type="submit" disabled={!key}>
        {t('compat.signAndSend')}
      </button>
      {error !== undefined && <ErrorState error={error} />}
    </form>
  );
}

function History({ view }: { view: CompatibilityEntryView }) {
  const t = useT();
  return (
    <>
      <Section title={t('compat.steps')}>
        {view.steps.length === 0 ? (
          <p>{t('compat.noSteps')}</p>
        ) : (
          <ol reversed>
            {view.steps.map((s) => (
              <li key={s.seq}>
                <strong>{t(STEP_KEYS[s.step])}</strong>{' '}
                {t('compat.stepLine', { at: formatDate(s.at), organisation: s.organisation, keyId: s.keyId })}
                <DomesticSaid domestic={s.body.domestic} note={s.body.note} />
              </li>
            ))}
          </ol>
        )}
      </Section>
      <Section title={t('compat.versions')}>
        <ol reversed>
          {view.versions.map((v) => (
            <li key={v.version}>
              <CompatibilityBadge status={v.status} />{' '}
              {t('compat.versionLine', { version: v.version, at: formatDate(v.at) })}
              <DomesticSaid domestic={v.domestic} note={v.note} />
            </li>
          ))}
        </ol>
      </Section>
    </>
  );
}

/** What an entry, version or step says of the domestic provision, and its note: the state's own words. */
function DomesticSaid({
  domestic,
  note,
}: {
  domestic?: { act: string; section: string; text: string } | null | undefined;
  note?: string | null | undefined;
}) {
  return (
    <>
      {domestic && (
        <p>
          {domestic.act} {domestic.section}: {domestic.text}
        </p>
      )}
      {note && <p className="muted">{note}</p>}
    </>
  );
}

function OpenCase({ state, refName }: { state: string; refName: string }) {
  const t = useT();
  const { navigate } = useRouter();
  const [error, setError] = useState<unknown>(undefined);
  return (
    <>
      <button
        type="button"
        onClick={async () => {
          try {
            const c = await compatibilityApi.openCase(state, refName);
            navigate(`/cases/${encodeURIComponent(c.id)}`);
          } catch (err) {
            setError(err);
          }
        }}
      >
        {t('compat.openCase')}
      </button>
      {error !== undefined && <ErrorState error={error} />}
    </>
  );
}

/** One provision's entry for a state: what it says now, its review workflow and its history. */
export function CompatibilityEntryPage({ state, refName }: { state: string; refName: string }) {
  const t = useT();
  const { me } = useSession();
  const data = useLoad(() => compatibilityApi.entry(state, refName), [state, refName]);
  const own =
    me?.state === state &&
    me.organisationKind === 'state-authority' &&
    (me.roles.includes('admin') || me.roles.includes('submitter'));
  const inspector =
    me?.organisationKind === 'inspectorate' || me?.organisationKind === 'regional-inspectorate';
  return (
    <Page
      title={t('compat.entryTitle', { ref: refName, state })}
      actions={<Link to={harmonizationPath(refName)}>{t('compat.across')}</Link>}
    >
      <Async value={data} what={t('common.what.compatibility')}>
        {(v) => (
          <>
            <Section title={t('compat.provision')}>
              <p>
                <strong>{v.provision.ref}</strong> ({v.provision.instrument})
              </p>
              <p>{v.provision.text}</p>
            </Section>
            <Section title={t('compat.current')}>
              <p>
                <CompatibilityBadge status={v.status} />
              </p>
              <DomesticSaid domestic={v.entry?.domestic} note={v.entry?.note} />
              {inspector && v.status !== 'implemented' && v.status !== 'not-reviewed' && (
                <OpenCase state={state} refName={refName} />
              )}
            </Section>
            {own && (
              <>
                <Section title={t('compat.stepTitle')}>
                  <p>{t('compat.stepHint')}</p>
                  <StepForm state={state} refName={refName} last={v.steps[0]} done={data.reload} />
                </Section>
                <Section title={t('compat.editTitle')}>
                  <EditForm state={state} refName={refName} done={data.reload} />
                </Section>
              </>
            )}
            <History view={v} />
          </>
        )}
      </Async>
    </Page>
  );
}
