import { useEffect, useMemo, useState } from 'react';
import { encodeHex, sha256 } from '../../../../src/log/index.js';
import { api, type RegisteredKey } from '../../api/registry.js';
import { Section } from '../../components/Page.js';
import { SignModeChoice } from '../../components/SignModeChoice.js';
import { useT } from '../../i18n/I18nProvider.js';
import { failureText } from '../../i18n/problems.js';
import {
  checkDetachedSignature,
  type DetachedCheck,
  readSigningKey,
  type SigningKey,
} from '../../signing.js';

/** How a declaration is signed: here with the organisation's key file, or with the CLI's detached signature. */
export function DeclarationSigning({
  mode,
  setMode,
  signingKey,
  setKey,
  bytes,
  fileName,
  organisation,
  signature,
  setSignature,
  onCheck,
}: {
  mode: 'key' | 'signature';
  setMode(m: 'key' | 'signature'): void;
  signingKey: SigningKey | undefined;
  setKey(k: SigningKey | undefined): void;
  bytes: Uint8Array;
  fileName: string;
  organisation: string;
  signature: string;
  setSignature(s: string): void;
  onCheck(c: DetachedCheck | undefined): void;
}) {
  const t = useT();
  const [keyError, setKeyError] = useState<string | undefined>(undefined);
  return (
    <Section title={t('sign.section')}>
      <SignModeChoice
        name="decl-sign-mode"
        mode={mode}
        setMode={setMode}
        legend={t('decl.sig.how')}
        here={t('decl.sig.here')}
        cli={t('decl.sig.cli')}
      />
      {mode === 'signature' ? (
        <DetachedSignature
          bytes={bytes}
          fileName={fileName}
          organisation={organisation}
          signature={signature}
          setSignature={setSignature}
          onCheck={onCheck}
        />
      ) : (
        <div className="field">
          <label htmlFor="decl-key">{t('sign.keyFile')}</label>
          <input
            id="decl-key"
            type="file"
            accept=".key,text/plain"
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (!f) return;
              void f.text().then((text) => {
                try {
                  setKey(readSigningKey(text));
                  setKeyError(undefined);
                } catch (err) {
                  setKey(undefined);
                  setKeyError(failureText(t, err));
                }
              });
            }}
          />
          <p className={keyError ? 'field-error' : 'muted small'} role={keyError ? 'alert' : undefined}>
            {keyError
              ? t('sign.keyError', { error: keyError })
              : signingKey
                ? t('sign.keyLoaded', { keyId: signingKey.keyId })
                : t('sign.keyNone')}
          </p>
        </div>
      )}
    </Section>
  );
}

/**
 * Signing a declaration with the CLI (issue 19), as a report can be: the exact bytes the editor
 * will send are offered as a file with their SHA-256, `custos report sign` makes the detached
 * signature, and the pasted signature is checked here against the organisation's registered keys
 * before anything is sent. Any edit afterwards changes the bytes, and the check says so.
 */
function DetachedSignature({
  bytes,
  fileName,
  organisation,
  signature,
  setSignature,
  onCheck,
}: {
  bytes: Uint8Array;
  fileName: string;
  organisation: string;
  signature: string;
  setSignature(s: string): void;
  onCheck(c: DetachedCheck | undefined): void;
}) {
  const t = useT();
  const [keys, setKeys] = useState<RegisteredKey[] | undefined>(undefined);
  const [keysError, setKeysError] = useState<unknown>(undefined);
  useEffect(() => {
    let live = true;
    api.keys(organisation).then(
      (k) => live && setKeys(k),
      (e: unknown) => live && setKeysError(e),
    );
    return () => {
      live = false;
    };
  }, [organisation]);
  const url = useMemo(
    () => URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'application/json' })),
    [bytes],
  );
  useEffect(() => () => URL.revokeObjectURL(url), [url]);
  const check = useMemo(
    () =>
      keys === undefined || signature.trim() === ''
        ? undefined
        : checkDetachedSignature(keys, bytes, signature, new Date().toISOString()),
    [keys, bytes, signature],
  );
  useEffect(() => onCheck(check), [check, onCheck]);
  const command = `custos report sign ${fileName} --key ${organisation}.key`;
  return (
    <div className="field">
      <p>
        <a href={url} download={fileName}>
          {t('decl.sig.download', { bytes: bytes.length })}
        </a>
      </p>
      <p className="muted small">{t('decl.sig.sha', { sha: encodeHex(sha256(bytes)) })}</p>
      <p className="small">{t('decl.sig.command', { command })}</p>
      <label htmlFor="decl-cli-signature">{t('sign.cliLabel')}</label>
      <input
        id="decl-cli-signature"
        className="mono"
        dir="ltr"
        value={signature}
        onChange={(e) => setSignature(e.target.value)}
        aria-invalid={check?.kind === 'failed' ? true : undefined}
        aria-describedby="decl-cli-status"
        spellCheck={false}
      />
      <p
        id="decl-cli-status"
        className={check?.kind === 'failed' || keysError !== undefined ? 'field-error' : 'muted small'}
        role={check?.kind === 'failed' || keysError !== undefined ? 'alert' : 'status'}
      >
        {keysError !== undefined
          ? t('decl.sig.keysUnavailable', { organisation, error: failureText(t, keysError) })
          : check === undefined
            ? signature.trim() === ''
              ? t('decl.sig.paste')
              : t('decl.sig.checking')
            : check.kind === 'verified'
              ? t('decl.sig.verified', { keyId: check.keyId, organisation })
              : check.reason === 'format'
                ? t('sign.cliInvalid')
                : check.reason === 'no-key'
                  ? t('decl.sig.noKey', { keyId: check.keyId ?? '', organisation })
                  : check.reason === 'not-valid'
                    ? t('decl.sig.notValid', { keyId: check.keyId ?? '' })
                    : t('decl.sig.mismatch')}
      </p>
    </div>
  );
}
