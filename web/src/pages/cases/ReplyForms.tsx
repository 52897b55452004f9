/** A state answers a question; either side adds a message, with attachments. */
import { useState } from 'react';
import { type AttachmentUpload, type CaseDetail, casesApi, reportsApi } from '../../api.js';
import { ErrorState, useLoad } from '../../components/async.js';
import { Section } from '../../components/Page.js';
import { useSubmit } from '../../components/useSubmit.js';
import { formatDate } from '../../i18n/format.js';
import { useT } from '../../i18n/I18nProvider.js';

async function readAttachments(files: FileList | null): Promise<AttachmentUpload[]> {
  const out: AttachmentUpload[] = [];
  for (const f of Array.from(files ?? [])) {
    const bytes = new Uint8Array(await f.arrayBuffer());
    let bin = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    }
    out.push({ name: f.name, contentType: f.type || 'application/octet-stream', data: btoa(bin) });
  }
  return out;
}

/** The state's newest reports (of the case's MBA when it has one), to link a correction. */
function useCorrectionCandidates(c: CaseDetail) {
  return useLoad(
    () => reportsApi.list({ state: c.state, ...(c.mba ? { mba: c.mba } : {}), limit: 20 }),
    [c.state, c.mba],
  );
}

export function AnswerForm({ c, onDone }: { c: CaseDetail; onDone: () => void }) {
  const t = useT();
  const candidates = useCorrectionCandidates(c);
  const [linked, setLinked] = useState('');
  const [text, setText] = useState('');
  const [files, setFiles] = useState<FileList | null>(null);
  const { busy, error, onSubmit } = useSubmit(async () => {
    const attachments = await readAttachments(files);
    if (attachments.length > 0) {
      await casesApi.message(c.id, { text: t('case.answer.attachmentsNote'), attachments });
    }
    await casesApi.transition(c.id, {
      to: 'answered',
      note: text.trim(),
      ...(linked ? { linkedReport: linked } : {}),
    });
    setText('');
    setLinked('');
    onDone();
  });
  return (
    <Section title={t('case.answer.title')}>
      <form onSubmit={onSubmit} className="stack">
        <div className="field">
          <label htmlFor="ans-text">{t('case.answer.text')}</label>
          <textarea id="ans-text" rows={4} value={text} onChange={(e) => setText(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="ans-report">{t('case.answer.report')}</label>
          <select id="ans-report" value={linked} onChange={(e) => setLinked(e.target.value)}>
            <option value="">{t('case.answer.none')}</option>
            {(candidates.data ?? []).map((r) => (
              <option key={r.id} value={r.id}>
                {t('case.answer.candidate', {
                  id: r.id,
                  type: r.type,
                  number: r.reportNumber,
                  mba: r.mba,
                  date: formatDate(r.reportDate),
                })}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="ans-files">{t('case.answer.files')}</label>
          <input id="ans-files" type="file" multiple onChange={(e) => setFiles(e.target.files)} />
        </div>
        {error !== undefined && <ErrorState error={error} />}
        <button type="submit" className="primary" disabled={busy || text.trim() === ''}>
          {busy ? t('case.sending') : t('case.answer.send')}
        </button>
      </form>
    </Section>
  );
}

export function MessageForm({ c, owner, onDone }: { c: CaseDetail; owner: boolean; onDone: () => void }) {
  const t = useT();
  const [text, setText] = useState('');
  const [files, setFiles] = useState<FileList | null>(null);
  const [internal, setInternal] = useState(false);
  const [inputKey, setInputKey] = useState(0);
  const { busy, error, onSubmit } = useSubmit(async () => {
    const attachments = await readAttachments(files);
    await casesApi.message(c.id, {
      text: text.trim(),
      ...(owner ? { internal } : {}),
      ...(attachments.length ? { attachments } : {}),
    });
    setText('');
    setFiles(null);
    setInputKey((k) => k + 1);
    onDone();
  });
  return (
    <Section title={t('case.message.title')}>
      <form onSubmit={onSubmit} className="stack">
        <div className="field">
          <label htmlFor="msg-text">{t('case.message.text')}</label>
          <textarea id="msg-text" rows={3} value={text} onChange={(e) => setText(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="msg-files">{t('case.message.files')}</label>
          <input
            key={inputKey}
            id="msg-files"
            type="file"
            multiple
            onChange={(e) => setFiles(e.target.files)}
          />
        </div>
        {owner && (
          <label className="check">
            <input type="checkbox" checked={internal} onChange={(e) => setInternal(e.target.checked)} />{' '}
            {t('case.message.internal')}
          </label>
        )}
        {error !== undefined && <ErrorState error={error} />}
        <button type="submit" disabled={busy || (text.trim() === '' && !files?.length)}>
          {busy ? t('case.sending') : t('case.message.send')}
        </button>
      </form>
    </Section>
  );
}
