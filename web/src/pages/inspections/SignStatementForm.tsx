import { useState } from 'react';
import { statementBytes } from '../../../../src/domain/inspections/index.js';
import { type Inspection, inspectionsApi } from '../../api.js';
import { ErrorState } from '../../components/async.js';
import { KeyFileField } from '../../components/KeyFileField.js';
import { Section } from '../../components/Page.js';
import { useSubmit } from '../../components/useSubmit.js';
import { useT } from '../../i18n/I18nProvider.js';
import type { SigningKey } from '../../signing.js';

/** The server's draft statement, concluded and signed here with the inspectorate's key file. */
export function SignStatementForm({ inspection, onDone }: { inspection: Inspection; onDone(): void }) {
  const t = useT();
  const [conclusion, setConclusion] = useState('');
  const [signingKey, setKey] = useState<SigningKey | undefined>(undefined);
  const { busy, error, onSubmit } = useSubmit(async () => {
    if (!signingKey) return;
    const draft = await inspectionsApi.statementDraft(inspection.id);
    const statement = { ...draft, conclusion: conclusion.trim() };
    const signature = signingKey.signRaw(statementBytes(statement));
    await inspectionsApi.submitStatement(inspection.id, { statement, signature, keyId: signingKey.keyId });
    setConclusion('');
    onDone();
  });
  return (
    <Section title={t('insp.sign.title')}>
      <form onSubmit={onSubmit} className="stack" aria-label={t('insp.sign.title')}>
        <div className="field">
          <label htmlFor="st-conclusion">{t('insp.sign.conclusion')}</label>
          <textarea
            id="st-conclusion"
            rows={3}
            value={conclusion}
            onChange={(e) => setConclusion(e.target.value)}
            required
          />
        </div>
        <KeyFileField id="st-key" label={t('insp.sign.key')} signingKey={signingKey} setKey={setKey} />
        {error !== undefined && <ErrorState error={error} />}
        <button type="submit" className="primary" disabled={busy || !signingKey || conclusion.trim() === ''}>
          {busy ? t('insp.sign.signing') : t('insp.sign.submit')}
        </button>
      </form>
    </Section>
  );
}
