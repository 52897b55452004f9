import { type DragEvent, useMemo, useState } from 'react';
import { Section } from '../../components/Page.js';
import { Msg, useT } from '../../i18n/I18nProvider.js';
import { sha256Hex } from '../../report-file.js';

export type Format = 'json' | 'csv';

export function formatOf(name: string, text: string): Format {
  if (/\.csv$/i.test(name)) return 'csv';
  if (/\.json$/i.test(name)) return 'json';
  return text.trimStart().startsWith('{') ? 'json' : 'csv';
}

const bold = (chunks: React.ReactNode[]) => <strong>{chunks}</strong>;

/**
 * The report file, dropped or chosen, and its text, editable to fix what the server refused.
 * Shared by submitting and practice mode, which sign and send the same bytes.
 */
export function ReportInput({
  fileName,
  text,
  signed,
  bom,
  converted,
  fileProblem,
  convert,
  format,
  setFormat,
  lines,
  load,
  edit,
}: {
  fileName: string;
  text: string;
  signed: Uint8Array;
  bom: boolean;
  converted: boolean;
  fileProblem: 'empty' | 'not-utf8' | undefined;
  convert(): void;
  format: Format;
  setFormat(f: Format): void;
  lines: readonly string[];
  load(file: File): Promise<void>;
  edit(text: string): void;
}) {
  const t = useT();
  const [dragging, setDragging] = useState(false);
  const hash = useMemo(() => sha256Hex(signed), [signed]);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const f = e.dataTransfer.files[0];
    if (f) void load(f);
  };
  return (
    <Section title={t('submit.section.report')} id="s-report">
      <label
        htmlFor="report-file"
        className={`dropzone${dragging ? ' dragging' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={onDrop}
      >
        <span>{t('submit.drop')}</span>
        <input
          id="report-file"
          type="file"
          accept=".json,.csv,application/json,text/csv"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void load(f);
          }}
        />
      </label>
      {fileProblem === 'empty' && (
        <p className="notice notice-error" role="alert">
          <Msg id="submit.empty" values={{ name: fileName, b: bold }} />
        </p>
      )}
      {fileProblem === 'not-utf8' && (
        <div className="notice notice-error" role="alert">
          <p>
            <Msg id="submit.notUtf8" values={{ name: fileName, b: bold }} />
          </p>
          <p>
            <button type="button" onClick={convert}>
              {t('submit.convert')}
            </button>
          </p>
        </div>
      )}
      {converted && (
        <p className="notice" role="status">
          {t('submit.converted')}
        </p>
      )}
      {text !== '' && (
        <>
          <div className="row">
            <span>
              <strong>{fileName || t('submit.defaultName')}</strong> ·{' '}
              {t('submit.bytes', { count: signed.length })}
              {bom && <> · {t('submit.bom')}</>}
            </span>
            <label htmlFor="report-format">{t('submit.format')}</label>
            <select id="report-format" value={format} onChange={(e) => setFormat(e.target.value as Format)}>
              <option value="json">JSON</option>
              <option value="csv">CSV</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="report-text">{t('submit.content')}</label>
            <textarea
              id="report-text"
              className="mono"
              dir="ltr"
              rows={Math.min(18, Math.max(6, lines.length + 1))}
              value={text}
              spellCheck={false}
              onChange={(e) => edit(e.target.value)}
            />
          </div>
          <p className="muted small">
            {t('submit.sha')}{' '}
            <code data-testid="signed-sha256" dir="ltr">
              {hash}
            </code>
          </p>
        </>
      )}
    </Section>
  );
}
