import { useState } from 'react';
import { encodeBase64 } from '../../../../src/log/index.js';
import { legalApi } from '../../api/legal.js';
import { useT } from '../../i18n/I18nProvider.js';
import { failureText } from '../../i18n/problems.js';

const ATTACHMENT_REF = /^sha256:([0-9a-f]{64})$/;

/**
 * The site map of a buildings-per-site item (INFCIRC/540 Art. 2.a.(iii)): the file is uploaded for
 * the State and the item's field takes the hash it is stored under, so the signed declaration
 * commits to exactly that file.
 */
export function SiteMapUpload({
  state,
  n,
  onUploaded,
}: {
  state: string;
  n: number;
  onUploaded(ref: string): void;
}) {
  const t = useT();
  const [status, setStatus] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const upload = async (file: File) => {
    setStatus({ ok: true, text: t('decl.siteMap.uploading') });
    try {
      const data = encodeBase64(new Uint8Array(await file.arrayBuffer()));
      const r = await legalApi.uploadAttachment(state, file.type || 'application/octet-stream', data);
      onUploaded(r.ref);
      setStatus({ ok: true, text: t('decl.siteMap.uploaded', { size: r.size }) });
    } catch (e) {
      setStatus({
        ok: false,
        text: t('decl.siteMap.error', { error: failureText(t, e) }),
      });
    }
  };
  return (
    <div className="field">
      <label htmlFor={`item-${n}-siteMap-file`}>{t('decl.siteMap.upload', { n: n + 1 })}</label>
      <input
        id={`item-${n}-siteMap-file`}
        type="file"
        accept="application/pdf,image/png,image/jpeg"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) void upload(f);
        }}
      />
      {status && (
        <p className={status.ok ? 'muted small' : 'field-error'} role={status.ok ? 'status' : 'alert'}>
          {status.text}
        </p>
      )}
    </div>
  );
}

/** An item's value in the declaration's table: a file it names by hash is a link to read it. */
export function ItemValue({
  declaration,
  value,
}: {
  declaration: string;
  value: string | number | undefined;
}) {
  const t = useT();
  const m = typeof value === 'string' ? ATTACHMENT_REF.exec(value) : null;
  if (!m) return <>{String(value ?? '')}</>;
  return (
    <a
      href={`/api/declarations/${encodeURIComponent(declaration)}/attachments/${m[1]}`}
      title={String(value)}
      download
    >
      {t('decl.siteMap.open')}
    </a>
  );
}
