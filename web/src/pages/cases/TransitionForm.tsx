/** The owning inspectorate moves a case; a decision is signed here, in the browser. */
import { useState } from 'react';
import {
  CASE_STATUSES,
  CASE_TRANSITIONS,
  type CaseStatus,
  decisionBytes,
  isDecisionStatus,
} from '../../../../src/domain/cases/index.js';
import { type CaseDetail, casesApi } from '../../api.js';
import { ErrorState } from '../../components/async.js';
import { KeyFileField } from '../../components/KeyFileField.js';
import { Section } from '../../components/Page.js';
import { useSubmit } from '../../components/useSubmit.js';
import { formatLocale } from '../../i18n/format.js';
import { type Translate, useT } from '../../i18n/I18nProvider.js';
import type { SigningKey } from '../../signing.js';
import { useStatusLabel } from './status.js';

/** The moves the owning inspectorate may make from a status, as the domain's lifecycle has them. */
function inspectorateMoves(status: CaseStatus) {
  const rules = CASE_TRANSITIONS[status];
  return CASE_STATUSES.flatMap((to) => {
    const rule = rules[to];
    return rule?.by === 'inspectorate'
      ? [{ to, due: rule.needsDueDate === true, note: rule.needsNote === true }]
      : [];
  });
}

/**
 * The inspectorate's key file, read into page memory only (like report signing): a decision is
 * signed here, in the browser, over the exact bytes the server checks.
 */
function DecisionKey({
  inspectorate,
  signingKey,
  setKey,
}: {
  inspectorate: string;
  signingKey: SigningKey | undefined;
  setKey(k: SigningKey | undefined): void;
}) {
  const t = useT();
  return (
    <KeyFileField
      id="tr-key"
      label={t('transition.key', { inspectorate })}
      signingKey={signingKey}
      setKey={setKey}
      loadedTestId="decision-key"
    />
  );
}

export function TransitionForm({ c, onDone }: { c: CaseDetail; onDone: () => void }) {
  const options = inspectorateMoves(c.status);
  const first = options[0];
  return first ? <MoveForm c={c} options={options} first={first.to} onDone={onDone} /> : null;
}

function noteLabel(to: CaseStatus, required: boolean, t: Translate): string {
  const what =
    to === 'question-sent'
      ? t('transition.note.question')
      : to === 'resolved'
        ? t('transition.note.decision')
        : t('transition.note.note');
  return t(required ? 'transition.required' : 'transition.optional', { what });
}

function submitLabel(to: CaseStatus, label: (s: string) => string, t: Translate): string {
  if (to === 'question-sent') return t('transition.sendQuestion');
  const status = label(to).toLocaleLowerCase(formatLocale());
  return isDecisionStatus(to) ? t('transition.signAndMark', { status }) : t('transition.mark', { status });
}

type Move = ReturnType<typeof inspectorateMoves>[number];

function MoveForm({
  c,
  options,
  first,
  onDone,
}: {
  c: CaseDetail;
  options: readonly Move[];
  first: CaseStatus;
  onDone: () => void;
}) {
  const t = useT();
  const label = useStatusLabel();
  const [to, setTo] = useState<CaseStatus>(first);
  const [note, setNote] = useState('');
  const [due, setDue] = useState('');
  const [internal, setInternal] = useState(false);
  const [linked, setLinked] = useState(linkedOf(c) ?? '');
  const [signingKey, setKey] = useState<SigningKey | undefined>(undefined);
  const rule = options.find((o) => o.to === to);
  const decision = isDecisionStatus(to);
  const linkedReport = to === 'resolved' && linked.trim() !== '' ? linked.trim() : undefined;
  const { busy, error, onSubmit } = useSubmit(async () => {
    const text = note.trim();
    const signature =
      decision && signingKey
        ? {
            keyId: signingKey.keyId,
            signature: signingKey.signRaw(
              decisionBytes({
                caseId: c.id,
                decision: to,
                inspectorate: c.inspectorate,
                note: text,
                linkedReport: linkedReport ?? null,
              }),
            ),
          }
        : undefined;
    await casesApi.transition(c.id, {
      to,
      ...(text ? { note: text } : {}),
      ...(rule?.due && due ? { dueDate: due } : {}),
      internal: to === 'question-sent' ? false : internal,
      ...(linkedReport ? { linkedReport } : {}),
      ...(signature ? { signature } : {}),
    });
    setNote('');
    setDue('');
    setLinked('');
    onDone();
  });
  const missing =
    (rule?.note && note.trim() === '') || (rule?.due && due === '') || (decision && !signingKey);
  return (
    <Section title={t('transition.title')}>
      <form onSubmit={onSubmit} className="stack">
        <div className="field">
          <label htmlFor="tr-to">{t('transition.newStatus')}</label>
          <select
            id="tr-to"
            value={to}
            onChange={(e) => setTo(options.find((o) => o.to === e.target.value)?.to ?? to)}
          >
            {options.map((o) => (
              <option key={o.to} value={o.to}>
                {label(o.to)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="tr-note">{noteLabel(to, rule?.note === true, t)}</label>
          <textarea id="tr-note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
        </div>
        {rule?.due && (
          <div className="field">
            <label htmlFor="tr-due">{t('transition.due')}</label>
            <input id="tr-due" type="date" value={due} onChange={(e) => setDue(e.target.value)} required />
          </div>
        )}
        {to === 'resolved' && (
          <div className="field">
            <label htmlFor="tr-linked">{t('transition.linked')}</label>
            <input id="tr-linked" value={linked} onChange={(e) => setLinked(e.target.value)} />
          </div>
        )}
        {to !== 'question-sent' && (
          <label className="check">
            <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} />{' '}
            {t('transition.internal')}
          </label>
        )}
        {decision && <DecisionKey inspectorate={c.inspectorate} signingKey={signingKey} setKey={setKey} />}
        {decision && !signingKey && (
          <p className="muted small">{t('transition.chooseKey', { inspectorate: c.inspectorate })}</p>
        )}
        {error !== undefined && <ErrorState error={error} />}
        <div className="row">
          <button type="submit" className="primary" disabled={busy || missing}>
            {busy ? t('insp.saving') : submitLabel(to, label, t)}
          </button>
        </div>
      </form>
    </Section>
  );
}

/** The correction report the state linked in its latest answer, if any. */
function linkedOf(c: CaseDetail): string | undefined {
  return [...c.history].reverse().find((e) => e.linkedReport !== undefined)?.linkedReport;
}
