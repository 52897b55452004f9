/**
 * An inspectorate's work on inspections: planning with the notice rule checked by the server (its
 * refusal shown inline, with the hours required and given) and the annual effort cap beside it;
 * assigning a joint inspection's activities; recording verification results; signing statements
 * in the browser with the inspectorate's key file.
 */
import { type FormEvent, useState } from 'react';
import { INSPECTION_TYPES, statementBytes } from '../../../src/domain/inspections/index.js';
import { isInspectorateKind } from '../../../src/domain/registry/index.js';
import {
  type Assignment,
  api,
  type Inspection,
  type ItemResult,
  inspectionsApi,
  isApiError,
  type StratumResult,
} from '../api.js';
import { Async, ErrorState, useLoad } from '../components/async.js';
import { KeyFileField } from '../components/KeyFileField.js';
import { Section } from '../components/Page.js';
import { useRouter } from '../router.js';
import type { SigningKey } from '../signing.js';

const DAY_MS = 86_400_000;

/** `datetime-local` value (UTC, as every time on these screens) ↔ RFC 3339. */
const toLocalInput = (ms: number) => new Date(ms).toISOString().slice(0, 16);
const fromLocalInput = (v: string) => `${v}:00Z`;

interface NoticeDetails {
  readonly reason?: string;
  readonly rule?: string;
  readonly requiredHours?: number;
  readonly givenHours?: number;
}

/** The notice rule's refusal, said in the words of the rule, next to the dates to fix. */
function NoticeRefusal({ details }: { details: NoticeDetails }) {
  return (
    <div className="notice notice-error" role="alert" data-testid="notice-refusal">
      <p>
        <strong>The notice rule refuses this plan: {details.reason ?? 'notice too short'}.</strong>
      </p>
      <p>
        {details.rule ? `Rule: ${details.rule}. ` : ''}
        {details.requiredHours !== undefined ? `Required: ${details.requiredHours} h of notice. ` : ''}
        {details.givenHours !== undefined ? `Given: ${Math.round(details.givenHours * 10) / 10} h. ` : ''}
        Give the notice earlier or move the start.
      </p>
    </div>
  );
}

function EffortCap({ facility, year }: { facility: string; year: number }) {
  const effort = useLoad(
    () => (facility ? inspectionsApi.effort({ facility, year }) : Promise.resolve(undefined)),
    [facility, year],
  );
  if (!facility) return null;
  return (
    <Async value={effort} what="the inspection effort">
      {(e) =>
        e ? (
          <p data-testid="effort-cap" className="small">
            Routine effort at {e.facility} in {e.year}: {e.routineInspections} inspection
            {e.routineInspections === 1 ? '' : 's'}, {e.plannedManDays} man-days planned
            {e.cap
              ? ` of a cap of ${e.cap.manDays} man-days (${e.cap.rule}); ${e.remainingManDays ?? 0} remain${
                  e.withinCap === false ? ' — over the cap' : ''
                }.`
              : '; no cap computed (no inventory or throughput basis given for this facility this year).'}
          </p>
        ) : null
      }
    </Async>
  );
}

/** Plans an inspection; the server checks the notice rule and answers NOTICE_RULE_VIOLATED. */
export function PlanInspectionForm({ organisation }: { organisation: string }) {
  const { navigate } = useRouter();
  const facilities = useLoad(() => api.facilities(), []);
  const organisations = useLoad(() => api.organisations(), []);
  const now = Date.now();
  const [type, setType] = useState('routine');
  const [facility, setFacility] = useState('');
  const [mbas, setMbas] = useState('');
  const [partner, setPartner] = useState('');
  const [startsAt, setStartsAt] = useState(toLocalInput(now + 10 * DAY_MS));
  const [noticeAt, setNoticeAt] = useState(toLocalInput(now));
  const [manDays, setManDays] = useState('');
  const [refusal, setRefusal] = useState<NoticeDetails | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const partners = (organisations.data ?? []).filter(
    (o) => isInspectorateKind(o.kind) && o.id !== organisation,
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setRefusal(undefined);
    try {
      const list = mbas
        .split(/[\s,]+/)
        .map((m) => m.trim())
        .filter(Boolean);
      const created = await inspectionsApi.create({
        type,
        facility,
        participants: partner ? [organisation, partner] : [organisation],
        startsAt: fromLocalInput(startsAt),
        ...(noticeAt && type !== 'unannounced' ? { noticeGivenAt: fromLocalInput(noticeAt) } : {}),
        ...(list.length ? { mbas: list } : {}),
        ...(manDays ? { plannedManDays: Number(manDays) } : {}),
      });
      navigate(`/inspections/${encodeURIComponent(created.id)}`);
    } catch (err) {
      if (isApiError(err) && err.code === 'NOTICE_RULE_VIOLATED')
        setRefusal((err.details ?? {}) as NoticeDetails);
      else setError(err);
      setBusy(false);
    }
  };
  return (
    <Section title="Plan an inspection">
      <form onSubmit={submit} className="stack" aria-label="Plan an inspection">
        <div className="form-grid">
          <div className="field">
            <label htmlFor="pi-type">Type</label>
            <select id="pi-type" value={type} onChange={(e) => setType(e.target.value)}>
              {INSPECTION_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="pi-facility">Facility</label>
            <select id="pi-facility" value={facility} onChange={(e) => setFacility(e.target.value)} required>
              <option value="">choose a facility</option>
              {(facilities.data ?? []).map((f) => (
                <option key={f.code} value={f.code}>
                  {f.code} — {f.name} ({f.state})
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="pi-mbas">MBAs (optional, comma-separated)</label>
            <input id="pi-mbas" value={mbas} onChange={(e) => setMbas(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="pi-partner">Joint with (optional)</label>
            <select id="pi-partner" value={partner} onChange={(e) => setPartner(e.target.value)}>
              <option value="">no partner: {organisation} alone</option>
              {partners.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.id} — {o.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="pi-start">Starts (UTC)</label>
            <input
              id="pi-start"
              type="datetime-local"
              value={startsAt}
              onChange={(e) => setStartsAt(e.target.value)}
              required
            />
          </div>
          {type !== 'unannounced' && (
            <div className="field">
              <label htmlFor="pi-notice">Notice given to the state (UTC)</label>
              <input
                id="pi-notice"
                type="datetime-local"
                value={noticeAt}
                onChange={(e) => setNoticeAt(e.target.value)}
              />
            </div>
          )}
          <div className="field">
            <label htmlFor="pi-days">Planned man-days (optional)</label>
            <input
              id="pi-days"
              inputMode="decimal"
              value={manDays}
              onChange={(e) => setManDays(e.target.value)}
            />
          </div>
        </div>
        <EffortCap
          facility={facility}
          year={Number(startsAt.slice(0, 4)) || new Date(now).getUTCFullYear()}
        />
        {refusal && <NoticeRefusal details={refusal} />}
        {error !== undefined && <ErrorState error={error} />}
        <div className="row">
          <button type="submit" className="primary" disabled={busy || facility === ''}>
            {busy ? 'Planning…' : 'Plan the inspection'}
          </button>
        </div>
      </form>
    </Section>
  );
}

/** Who does which activity of a joint inspection: one inspectorate per activity. */
export function ActivitiesForm({ inspection, onDone }: { inspection: Inspection; onDone(): void }) {
  const initial: Assignment[] = inspection.activities?.length
    ? inspection.activities.map((a) => ({ ...a }))
    : [{ activity: '', inspectorate: inspection.participants[0] ?? '' }];
  const [rows, setRows] = useState<Assignment[]>(initial);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const set = (i: number, patch: Partial<Assignment>) =>
    setRows(rows.map((r, n) => (n === i ? { ...r, ...patch } : r)));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setSaved(false);
    try {
      const assignments = rows
        .map((r) => ({ activity: r.activity.trim(), inspectorate: r.inspectorate }))
        .filter((r) => r.activity !== '');
      await inspectionsApi.assign(inspection.id, {
        activities: assignments.map((a) => a.activity),
        assignments,
      });
      setSaved(true);
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title="Activities">
      <form onSubmit={submit} className="stack" aria-label="Assign activities">
        <table className="compact">
          <caption>Each activity is done by one inspectorate</caption>
          <thead>
            <tr>
              <th scope="col">Activity</th>
              <th scope="col">Inspectorate</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place, by position
              <tr key={i}>
                <td>
                  <input
                    aria-label={`Activity ${i + 1}`}
                    value={r.activity}
                    placeholder="nda-measurement"
                    onChange={(e) => set(i, { activity: e.target.value })}
                  />
                </td>
                <td>
                  <select
                    aria-label={`Inspectorate for activity ${i + 1}`}
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
            Add an activity
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Saving…' : 'Save the activities'}
          </button>
        </div>
        {saved && (
          <p role="status" className="small">
            Activities saved.
          </p>
        )}
        {error !== undefined && <ErrorState error={error} />}
      </form>
    </Section>
  );
}

/** `itemId,declared,measured` per line; an empty measured value means not measured. */
function parseItems(text: string): ItemResult[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^item/i.test(l))
    .map((l) => {
      const [itemId = '', declared = '', measured = ''] = l.split(',').map((c) => c.trim());
      return {
        itemId,
        declared: Number(declared),
        ...(measured === '' ? {} : { measured: Number(measured) }),
      };
    });
}

/** Records a stratum's verification results (defines the stratum first, then posts the items). */
export function RecordResultsForm({
  inspection,
  organisation,
  onDone,
}: {
  inspection: Inspection;
  organisation: string;
  onDone(): void;
}) {
  const mine = (inspection.activities ?? []).filter((a) => a.inspectorate === organisation);
  const [stratum, setStratum] = useState('');
  const [activity, setActivity] = useState(mine[0]?.activity ?? '');
  const [mba, setMba] = useState(inspection.mbas[0] ?? '');
  const [population, setPopulation] = useState('');
  const [opRandom, setOpRandom] = useState('0.001');
  const [inRandom, setInRandom] = useState('0.005');
  const [items, setItems] = useState('');
  const [result, setResult] = useState<StratumResult | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  if (mine.length === 0) {
    return (
      <Section title="Record verification results">
        <p className="muted">
          No activity of this inspection is assigned to {organisation}: assign one first.
        </p>
      </Section>
    );
  }
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      const name = stratum.trim();
      await inspectionsApi.defineStratum(inspection.id, name, {
        activity,
        population: Number(population),
        operator: { random: Number(opRandom), systematic: 0 },
        inspector: { random: Number(inRandom), systematic: 0 },
        ...(mba ? { mba } : {}),
      });
      setResult(await inspectionsApi.recordItems(inspection.id, name, parseItems(items)));
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const significant = result?.itemTests.filter((t) => t.significant) ?? [];
  return (
    <Section title="Record verification results">
      <form onSubmit={submit} className="stack" aria-label="Record verification results">
        <div className="form-grid">
          <div className="field">
            <label htmlFor="rr-stratum">Stratum name</label>
            <input
              id="rr-stratum"
              value={stratum}
              onChange={(e) => setStratum(e.target.value)}
              placeholder="pellets"
              required
              pattern="[A-Za-z0-9._\-]{1,64}"
            />
          </div>
          <div className="field">
            <label htmlFor="rr-activity">Activity</label>
            <select id="rr-activity" value={activity} onChange={(e) => setActivity(e.target.value)}>
              {mine.map((a) => (
                <option key={a.activity} value={a.activity}>
                  {a.activity}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="rr-mba">MBA</label>
            <select id="rr-mba" value={mba} onChange={(e) => setMba(e.target.value)}>
              <option value="">none</option>
              {inspection.mbas.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="rr-population">Items in the stratum</label>
            <input
              id="rr-population"
              inputMode="numeric"
              value={population}
              onChange={(e) => setPopulation(e.target.value)}
              required
            />
          </div>
          <div className="field">
            <label htmlFor="rr-op">Operator random error (relative)</label>
            <input
              id="rr-op"
              inputMode="decimal"
              value={opRandom}
              onChange={(e) => setOpRandom(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="rr-in">Inspector random error (relative)</label>
            <input
              id="rr-in"
              inputMode="decimal"
              value={inRandom}
              onChange={(e) => setInRandom(e.target.value)}
            />
          </div>
        </div>
        <div className="field">
          <label htmlFor="rr-items">Items: one per line, itemId,declared,measured (grams)</label>
          <textarea
            id="rr-items"
            className="mono"
            rows={6}
            value={items}
            onChange={(e) => setItems(e.target.value)}
            required
          />
        </div>
        {error !== undefined && <ErrorState error={error} />}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Recording…' : 'Record the results'}
        </button>
      </form>
      {result && (
        <div role="status" data-testid="stratum-result">
          <p>
            <strong>
              {result.items.length} item{result.items.length === 1 ? '' : 's'} recorded in {result.stratum}
            </strong>
            {result.dStatistic
              ? `; D = ${result.dStatistic.D.toFixed(1)} g (σ ${Math.sqrt(result.dStatistic.variance).toFixed(1)} g)`
              : ''}
            .{' '}
            {significant.length === 0
              ? 'No item differs significantly (3σ).'
              : `Significant differences (3σ): ${significant
                  .map((t) => `${t.id} (${t.difference.toFixed(1)} g ± ${t.sigma.toFixed(1)})`)
                  .join(', ')}.`}
          </p>
        </div>
      )}
    </Section>
  );
}

/** The server's draft statement, concluded and signed here with the inspectorate's key file. */
export function SignStatementForm({ inspection, onDone }: { inspection: Inspection; onDone(): void }) {
  const [conclusion, setConclusion] = useState('');
  const [signingKey, setKey] = useState<SigningKey | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!signingKey) return;
    setBusy(true);
    setError(undefined);
    try {
      const draft = await inspectionsApi.statementDraft(inspection.id);
      const statement = { ...draft, conclusion: conclusion.trim() };
      const signature = signingKey.signRaw(statementBytes(statement));
      await inspectionsApi.submitStatement(inspection.id, { statement, signature, keyId: signingKey.keyId });
      setConclusion('');
      onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Section title="Sign a statement">
      <form onSubmit={submit} className="stack" aria-label="Sign a statement">
        <div className="field">
          <label htmlFor="st-conclusion">Conclusion</label>
          <textarea
            id="st-conclusion"
            rows={3}
            value={conclusion}
            onChange={(e) => setConclusion(e.target.value)}
            required
          />
        </div>
        <KeyFileField
          id="st-key"
          label="Key file of your inspectorate (it never leaves this page)"
          signingKey={signingKey}
          setKey={setKey}
        />
        {error !== undefined && <ErrorState error={error} />}
        <button type="submit" className="primary" disabled={busy || !signingKey || conclusion.trim() === ''}>
          {busy ? 'Signing…' : 'Sign and submit the statement'}
        </button>
      </form>
    </Section>
  );
}
