import { useState } from 'react';
import { CASE_KINDS } from '../../../../src/domain/cases/index.js';
import { casesApi, type OpenCaseBody } from '../../api.js';
import { ErrorState } from '../../components/async.js';
import { useSubmit } from '../../components/useSubmit.js';
import { useT } from '../../i18n/I18nProvider.js';
import { useRouter } from '../../router.js';

/** An inspector opens a case by hand (from an alarm, a transfer, or anything worth following). */
export function OpenCaseForm({ defaults, onCancel }: { defaults: OpenCaseBody; onCancel?: () => void }) {
  const t = useT();
  const { navigate } = useRouter();
  const [title, setTitle] = useState(defaults.title);
  const [kind, setKind] = useState(defaults.kind);
  const [note, setNote] = useState(defaults.note ?? '');
  const { busy, error, onSubmit } = useSubmit(async () => {
    const c = await casesApi.open({
      ...defaults,
      kind,
      title: title.trim(),
      ...(note.trim() ? { note: note.trim() } : {}),
    });
    navigate(`/cases/${encodeURIComponent(c.id)}`);
  });
  return (
    <form onSubmit={onSubmit} className="stack" aria-label={t('case.open.label')}>
      <div className="field">
        <label htmlFor="oc-title">{t('case.open.title')}</label>
        <input
          id="oc-title"
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          required
          maxLength={300}
        />
      </div>
      <div className="field">
        <label htmlFor="oc-kind">{t('case.fact.kind')}</label>
        <select
          id="oc-kind"
          value={kind}
          onChange={(e) => setKind(CASE_KINDS.find((k) => k === e.target.value) ?? kind)}
        >
          {CASE_KINDS.map((k) => (
            <option key={k} value={k}>
              {k}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="oc-note">{t('case.open.note')}</label>
        <textarea id="oc-note" rows={3} value={note} onChange={(e) => setNote(e.target.value)} />
      </div>
      {error !== undefined && <ErrorState error={error} />}
      <div className="row">
        <button type="submit" className="primary" disabled={busy || title.trim() === ''}>
          {busy ? t('case.open.opening') : t('case.open.submit')}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            {t('case.cancel')}
          </button>
        )}
      </div>
    </form>
  );
}
