/**
 * Planning an inspection: the notice rule is checked by the server (its refusal shown inline, with
 * the hours required and given) and the annual effort cap is shown beside it.
 */
import { type FormEvent, useState } from 'react';
import {
  INSPECTION_TYPES,
  type InspectionType,
  needsNotice,
} from '../../../../src/domain/inspections/index.js';
import { isInspectorateKind } from '../../../../src/domain/registry/index.js';
import { api, inspectionsApi, isApiError } from '../../api.js';
import { Async, ErrorState, useLoad } from '../../components/async.js';
import { Section } from '../../components/Page.js';
import { useRouter } from '../../router.js';

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

function FacilityField({ value, set }: { value: string; set(v: string): void }) {
  const facilities = useLoad(() => api.facilities(), []);
  return (
    <div className="field">
      <label htmlFor="pi-facility">Facility</label>
      <select id="pi-facility" value={value} onChange={(e) => set(e.target.value)} required>
        <option value="">choose a facility</option>
        {(facilities.data ?? []).map((f) => (
          <option key={f.code} value={f.code}>
            {f.code} — {f.name} ({f.state})
          </option>
        ))}
      </select>
    </div>
  );
}

/** A joint inspection's partner: another inspectorate. */
function PartnerField({
  organisation,
  value,
  set,
}: {
  organisation: string;
  value: string;
  set(v: string): void;
}) {
  const organisations = useLoad(() => api.organisations(), []);
  const partners = (organisations.data ?? []).filter(
    (o) => isInspectorateKind(o.kind) && o.id !== organisation,
  );
  return (
    <div className="field">
      <label htmlFor="pi-partner">Joint with (optional)</label>
      <select id="pi-partner" value={value} onChange={(e) => set(e.target.value)}>
        <option value="">no partner: {organisation} alone</option>
        {partners.map((o) => (
          <option key={o.id} value={o.id}>
            {o.id} — {o.name}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Plans an inspection; the server checks the notice rule and answers NOTICE_RULE_VIOLATED. */
export function PlanInspectionForm({ organisation }: { organisation: string }) {
  const { navigate } = useRouter();
  const now = Date.now();
  const [type, setType] = useState<InspectionType>('routine');
  const [facility, setFacility] = useState('');
  const [mbas, setMbas] = useState('');
  const [partner, setPartner] = useState('');
  const [startsAt, setStartsAt] = useState(toLocalInput(now + 10 * DAY_MS));
  const [noticeAt, setNoticeAt] = useState(toLocalInput(now));
  const [manDays, setManDays] = useState('');
  const [refusal, setRefusal] = useState<NoticeDetails | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
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
        ...(noticeAt && needsNotice(type) ? { noticeGivenAt: fromLocalInput(noticeAt) } : {}),
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
            <select
              id="pi-type"
              value={type}
              onChange={(e) => setType(INSPECTION_TYPES.find((t) => t === e.target.value) ?? 'routine')}
            >
              {INSPECTION_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </div>
          <FacilityField value={facility} set={setFacility} />
          <div className="field">
            <label htmlFor="pi-mbas">MBAs (optional, comma-separated)</label>
            <input id="pi-mbas" value={mbas} onChange={(e) => setMbas(e.target.value)} />
          </div>
          <PartnerField organisation={organisation} value={partner} set={setPartner} />
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
          {needsNotice(type) && (
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
