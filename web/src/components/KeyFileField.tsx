import { useState } from 'react';
import { Msg, useT } from '../i18n/I18nProvider.js';
import { failureText } from '../i18n/problems.js';
import { readSigningKey, type SigningKey } from '../signing.js';

/**
 * A file input for an organisation's signing key (base64 Ed25519 seed, as `custos keygen` writes
 * it). The key is read in the page and never sent; the parent gets it, or undefined on a bad file.
 */
export function KeyFileField({
  id,
  label,
  signingKey,
  setKey,
  loadedTestId,
}: {
  id: string;
  label: string;
  signingKey: SigningKey | undefined;
  setKey(k: SigningKey | undefined): void;
  /** Shows "Key … loaded." under the input when given (the test id of that line). */
  loadedTestId?: string;
}) {
  const t = useT();
  const [keyError, setKeyError] = useState<string | undefined>(undefined);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="file"
        onChange={async (e) => {
          const f = e.target.files?.[0];
          if (!f) return;
          try {
            setKey(readSigningKey(await f.text()));
            setKeyError(undefined);
          } catch (err) {
            setKey(undefined);
            setKeyError(failureText(t, err));
          }
        }}
      />
      {loadedTestId !== undefined && signingKey && (
        <p className="small" data-testid={loadedTestId}>
          <Msg
            id="key.loaded"
            values={{
              keyId: signingKey.keyId,
              k: (c) => (
                <span className="mono" dir="ltr">
                  {c}
                </span>
              ),
            }}
          />
        </p>
      )}
      {keyError && (
        <p className="error small" role="alert">
          {keyError}
        </p>
      )}
    </div>
  );
}
