import { useState } from 'react';
import { Section } from '../../components/Page.js';
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
  const [keyError, setKeyError] = useState<string | undefined>(undefined);
  const loadKey = async (file: File) => {
    try {
      setKey(readSigningKey(await file.text()));
      setKeyError(undefined);
    } catch (e) {
      setKey(undefined);
      setKeyError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <Section title="2. The signature">
      <fieldset className="choice">
        <legend>How is the report signed?</legend>
        <label>
          <input type="radio" name="sign-mode" checked={mode === 'key'} onChange={() => setMode('key')} />{' '}
          Sign here with our organisation's key file (the key stays in this browser)
        </label>
        <label>
          <input
            type="radio"
            name="sign-mode"
            checked={mode === 'signature'}
            onChange={() => setMode('signature')}
          />{' '}
          The file was signed with the CLI: paste its signature
        </label>
      </fieldset>
      {mode === 'key' ? (
        <div className="field">
          <label htmlFor="key-file">Key file (base64 Ed25519 seed)</label>
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
              ? `This key file cannot be used: ${keyError}`
              : signingKey
                ? `Key ${signingKey.keyId} loaded; it signs the exact bytes above when you submit.`
                : 'Not loaded. The key is read only by this page and never uploaded.'}
          </p>
        </div>
      ) : (
        <div className="field">
          <label htmlFor="cli-signature">Custos-Signature (keyId:signature)</label>
          <input
            id="cli-signature"
            className="mono"
            value={signature}
            onChange={(e) => setSignature(e.target.value)}
            aria-invalid={signature !== '' && !valid ? true : undefined}
            spellCheck={false}
          />
          {signature !== '' && !valid && (
            <p className="field-error">Expected 16 hex digits, a colon and a base64 Ed25519 signature.</p>
          )}
        </div>
      )}
    </Section>
  );
}
