import { useState } from 'react';
import { Section } from '../../components/Page.js';
import { SignModeChoice } from '../../components/SignModeChoice.js';
import { useT } from '../../i18n/I18nProvider.js';
import { failureText } from '../../i18n/problems.js';
import { readSigningKey, type SigningKey } from '../../signing.js';

/** Signed here with the organisation's key file, or with the CLI's signature pasted. */
export function SignatureSection({
  mode,
  setMode,
  signingKey,
  setKey,
  signature,
  setSignature,
  valid,
}: {
  mode: 'key' | 'signature';
  setMode(m: 'key' | 'signature'): void;
  signingKey: SigningKey | undefined;
  setKey(k: SigningKey | undefined): void;
  signature: string;
  setSignature(s: string): void;
  valid: boolean;
}) {
  const t = useT();
  const [keyError, setKeyError] = useState<string | undefined>(undefined);
  const loadKey = async (file: File) => {
    try {
      setKey(readSigningKey(await file.text()));
      setKeyError(undefined);
    } catch (e) {
      setKey(undefined);
      setKeyError(failureText(t, e));
    }
  };
  return (
    <Section title={t('sign.section')} id="s-signature">
      <SignModeChoice
        name="sign-mode"
        mode={mode}
        setMode={setMode}
        legend={t('sign.how')}
        here={t('sign.here')}
        cli={t('sign.cli')}
      />
      {mode === 'key' ? (
        <div className="field">
          <label htmlFor="key-file">{t('sign.keyFile')}</label>
          <input
            id="key-file"
            type="file"
            accept=".key,text/plain"
            aria-describedby="key-status"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) void loadKey(f);
            }}
          />
          <p
            id="key-status"
            className={keyError ? 'field-error' : 'muted small'}
            role={keyError ? 'alert' : undefined}
          >
            {keyError
              ? t('sign.keyError', { error: keyError })
              : signingKey
                ? t('sign.keyLoaded', { keyId: signingKey.keyId })
                : t('sign.keyNone')}
          </p>
        </div>
      ) : (
        <div className="field">
          <label htmlFor="cli-signature">{t('sign.cliLabel')}</label>
          <input
            id="cli-signature"
            className="mono"
            dir="ltr"
            value={signature}
            onChange={(e) => setSignature(e.target.value)}
            aria-invalid={signature !== '' && !valid ? true : undefined}
            spellCheck={false}
          />
          {signature !== '' && !valid && <p className="field-error">{t('sign.cliInvalid')}</p>}
        </div>
      )}
    </Section>
  );
}
