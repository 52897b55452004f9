/**
 * Planning an inspection: the notice rule is checked by the server (its refusal shown inline, with
 * the hours required and given) and the annual effort cap is shown beside it.
 */
import { useState } from 'react';
import {
  INSPECTION_TYPES,
  type InspectionType,
  needsNotice,
} from '../../../../src/domain/inspections/index.js';
import { isInspectorateKind } from '../../../../src/domain/registry/index.js';
import { api, type EffortSummary, inspectionsApi, isApiError } from '../../api.js';
import { Async, ErrorState, useLoad } from '../../components/async.js';
import { Section } from '../../components/Page.js';
import { useSubmit } from '../../components/useSubmit.js';
import { type Translate, useT } from '../../i18n/I18nProvider.js';
import { useRouter } from '../../router.js';
import { inspectionTypeLabel, noticeReasonText, noticeRuleText } from './labels.js';

const DAY_MS = 86_400_000;

/** `datetime-local` value (UTC, as every time on these screens) ↔ RFC 3339. */
const toLocalInput = (ms: number) => new Date(ms).toISOString().slice(0, 16);
const fromLocalInput = (v: string) => `${v}:00Z`;

interface NoticeDetails {
  readonly type?: string;
  readonly reason?: string;
  readonly reasonCode?: string;
  readonly rule?: string;
  readonly requiredHours?: number;
  readonly givenHours?: number;
}

/** The notice rule's refusal, said in the words of the rule, next to the dates to fix. */
function NoticeRefusal({ details }: { details: NoticeDetails }) {
  const t = useT();
  const parts = [
    details.rule ? t('insp.plan.rule', { rule: noticeRuleText(t, details.type, details.rule) }) : undefined,
    details.requiredHours !== undefined
      ? t('insp.plan.required', { hours: details.requiredHours })
      : undefined,
    details.givenHours !== undefined
      ? t('insp.plan.given', { hours: Math.round(details.givenHours * 10) / 10 })
      : undefined,
    t('insp.plan.fix'),
  ].filter((p): p is string => p !== undefined);
  return (
    <div className="notice notice-error" role="alert" data-testid="notice-refusal">
      <p>
        <strong>
          {details.reason
            ? t('insp.plan.refused', { reason: noticeReasonText(t, details.reasonCode, details.reason) })
            : t('insp.plan.refusedShort')}
        </strong>
      </p>
      <p>{parts.join(' ')}</p>
    </div>
  );
}

/** The facility's routine effort this year against its cap, as one sentence. */
function effortText(t: Translate, e: EffortSummary): string {
  const planned = t('insp.effort.planned', {
    facility: e.facility,
    year: String(e.year),
    count: e.routineInspections,
    days: e.plannedManDays,
  });
  if (!e.cap) return `${planned} ${t('insp.effort.noCap')}`;
  const cap = { cap: e.cap.manDays, rule: e.cap.rule, remaining: e.remainingManDays ?? 0 };
  return `${planned} ${e.withinCap === false ? t('insp.effort.over', cap) : t('insp.effort.within', cap)}`;
}

function EffortCap({ facility, year }: { facility: string; year: number }) {
  const t = useT();
  const effort = useLoad(
    () => (facility ? inspectionsApi.effort({ facility, year }) : Promise.resolve(undefined)),
    [facility, year],
  );
  if (!facility) return null;
  return (
    <Async value={effort} what={t('insp.effort.what')}>
      {(e) =>
        e ? (
          <p data-testid="effort-cap" className="small">
            {effortText(t, e)}
          </p>
        ) : null
      }
    </Async>
  );
}

function FacilityField({ value, set }: { value: string; set(v: string): void }) {
  const t = useT();
  const facilities = useLoad(() => api.facilities(), []);
  return (
    <div className="field">
      <label htmlFor="pi-facility">{t('insp.facility')}</label>
      <select id="pi-facility" value={value} onChange={(e) => set(e.target.value)} required>
        <option value="">{t('insp.plan.chooseFacility')}</option>
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
  const t = useT();
  const organisations = useLoad(() => api.organisations(), []);
  const partners = (organisations.data ?? []).filter(
    (o) => isInspectorateKind(o.kind) && o.id !== organisation,
  );
  return (
    <div className="field">
      <label htmlFor="pi-partner">{t('insp.plan.partner')}</label>
      <select id="pi-partner" value={value} onChange={(e) => set(e.target.value)}>
        <option value="">{t('insp.plan.noPartner', { organisation })}</option>
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
  const t = useT();
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
  const { busy, error, onSubmit } = useSubmit(async () => {
    setRefusal(undefined);
    const list = mbas
      .split(/[\s,]+/)
      .map((m) => m.trim())
      .filter(Boolean);
    const created = await inspectionsApi
      .create({
        type,
        facility,
        participants: partner ? [organisation, partner] : [organisation],
        startsAt: fromLocalInput(startsAt),
        ...(noticeAt && needsNotice(type) ? { noticeGivenAt: fromLocalInput(noticeAt) } : {}),
        ...(list.length ? { mbas: list } : {}),
        ...(manDays ? { plannedManDays: Number(manDays) } : {}),
      })
      .catch((err: unknown) => {
        // The notice rule's refusal is shown as its own explanation, not as an error.
        if (isApiError(err) && err.code === 'NOTICE_RULE_VIOLATED')
          setRefusal((err.details ?? {}) as NoticeDetails);
        else throw err;
      });
    if (created) navigate(`/inspections/${encodeURIComponent(created.id)}`);
  });
  return (
    <Section title={t('insp.plan.title')}>
      <form onSubmit={onSubmit} className="stack" aria-label={t('insp.plan.title')}>
        <div className="form-grid">
          <div className="field">
            <label htmlFor="pi-type">{t('reports.type')}</label>
            <select
              id="pi-type"
              value={type}
              onChange={(e) => setType(INSPECTION_TYPES.find((x) => x === e.target.value) ?? 'routine')}
            >
              {INSPECTION_TYPES.map((x) => (
                <option key={x} value={x}>
                  {inspectionTypeLabel(x, t)}
                </option>
              ))}
            </select>
          </div>
          <FacilityField value={facility} set={setFacility} />
          <div className="field">
            <label htmlFor="pi-mbas">{t('insp.plan.mbas')}</label>
            <input id="pi-mbas" value={mbas} onChange={(e) => setMbas(e.target.value)} />
          </div>
          <PartnerField organisation={organisation} value={partner} set={setPartner} />
          <div className="field">
            <label htmlFor="pi-start">{t('insp.startsUtc')}</label>
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
              <label htmlFor="pi-notice">{t('insp.plan.noticeGiven')}</label>
              <input
                id="pi-notice"
                type="datetime-local"
                value={noticeAt}
                onChange={(e) => setNoticeAt(e.target.value)}
              />
            </div>
          )}
          <div className="field">
            <label htmlFor="pi-days">{t('insp.plan.manDays')}</label>
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
            {busy ? t('insp.plan.planning') : t('insp.plan.submit')}
          </button>
        </div>
      </form>
    </Section>
  );
}
