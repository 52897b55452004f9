import { type DragEvent, type FormEvent, useEffect, useMemo, useState } from 'react';
import { ApiError, apiJson, apiText, type ErrorDetail, isApiError } from '../api.js';
import { ErrorState } from '../components/async.js';
import { Checks, Verdict, WitnessNote } from '../components/Checks.js';
import { Page, Section } from '../components/Page.js';
import { type Column, Table } from '../components/Table.js';
import { bytesToSign, capProblems, sha256Hex, truncateRow } from '../report-file.js';
import { parseSignatureHeader, type SigningKey } from '../signing.js';
import { checkReceipt, fetchLogKey, type ReceiptCheck, verifierOf } from '../verify.js';
import { SignatureSection } from './submit/SignatureSection.js';
import { useReportFile } from './submit/useReportFile.js';

type Format = 'json' | 'csv';

interface Accepted {
  readonly id: string;
  readonly status: string;
  readonly logIndex: number;
  readonly receiptUrl: string;
  readonly warnings: readonly ErrorDetail[];
}

function formatOf(name: string, text: string): Format {
  if (/\.csv$/i.test(name)) return 'csv';
  if (/\.json$/i.test(name)) return 'json';
  return text.trimStart().startsWith('{') ? 'json' : 'csv';
}

function detailsOf(e: unknown): ErrorDetail[] {
  if (!(e instanceof ApiError) || !Array.isArray(e.details)) return [];
  return (e.details as unknown[]).filter((d): d is ErrorDetail => typeof d === 'object' && d !== null);
}

/**
 * Validation details name the report line (the `line` column), not the file row: find the row of
 * each report line in a CSV file (docs/csv-format.md: the line block starts at the row whose first
 * cell is `line`) so the table can show what the user wrote.
 */
export function csvRowsByLine(rows: readonly string[]): Map<number, { row: number; text: string }> {
  const out = new Map<number, { row: number; text: string }>();
  const first = (r: string) =>
    r
      .split(/[,;]/)[0]
      ?.replace(/^\uFEFF/, '')
      .replace(/"/g, '')
      .trim() ?? '';
  const start = rows.findIndex((r) => first(r) === 'line');
  if (start < 0) return out;
  for (let i = start + 1; i < rows.length; i++) {
    const cell = first(rows[i]!);
    if (/^\d+$/.test(cell) && !out.has(Number(cell))) out.set(Number(cell), { row: i + 1, text: rows[i]! });
  }
  return out;
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/**
 * Submitting a report (state story 1): drop a JSON or CSV file, sign it here with the organisation's
 * key file or paste the CLI's signature, see every validation problem tied to its line and field,
 * edit and resubmit, then watch the receipt verify in this browser.
 */
export default function SubmitReport() {
  const [fileName, setFileName] = useState('');
  const [text, setText] = useState('');
  const [format, setFormat] = useState<Format>('json');
  const [mode, setMode] = useState<'key' | 'signature'>('key');
  const [key, setKey] = useState<SigningKey | undefined>(undefined);
  const [signature, setSignature] = useState('');
  const [busy, setBusy] = useState(false);
  const [rejected, setRejected] = useState<{ error: ApiError; details: ErrorDetail[] } | undefined>(
    undefined,
  );
  const [failure, setFailure] = useState<unknown>(undefined);
  const [accepted, setAccepted] = useState<Accepted | undefined>(undefined);
  const { bom, fileProblem, converted, load, convert } = useReportFile(
    fileName,
    setFileName,
    (name, body) => {
      setText(body);
      setFormat(formatOf(name, body));
      setRejected(undefined);
      setAccepted(undefined);
      setFailure(undefined);
    },
  );
  const cliSignature = parseSignatureHeader(signature);
  const ready = text !== '' && (mode === 'key' ? key !== undefined : cliSignature !== undefined);
  const signed = useMemo(() => bytesToSign(text, bom), [text, bom]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setRejected(undefined);
    setFailure(undefined);
    setAccepted(undefined);
    try {
      const bytes = signed;
      const header = mode === 'key' ? key!.sign(bytes) : cliSignature!;
      const res = await apiJson<Accepted>('/api/reports', {
        method: 'POST',
        rawBody: bytes,
        headers: {
          'content-type': format === 'csv' ? 'text/csv' : 'application/json',
          'custos-signature': header,
        },
      });
      setAccepted(res);
    } catch (err) {
      if (isApiError(err) && err.status === 422) setRejected({ error: err, details: detailsOf(err) });
      else setFailure(err);
    } finally {
      setBusy(false);
    }
  };

  const lines = useMemo(() => text.split(/\r?\n/), [text]);

  return (
    <Page title="Submit a report" lead="ICR, PIL, MBR, initial report or transfer notice, as JSON or CSV.">
      <form onSubmit={submit}>
        <ReportInput
          fileName={fileName}
          text={text}
          signed={signed}
          bom={bom}
          converted={converted}
          fileProblem={fileProblem}
          convert={convert}
          format={format}
          setFormat={setFormat}
          lines={lines}
          load={load}
          edit={(t) => {
            setText(t);
            if (mode === 'signature') setSignature('');
          }}
        />

        <SignatureSection
          mode={mode}
          setMode={setMode}
          signingKey={key}
          setKey={setKey}
          signature={signature}
          setSignature={setSignature}
          valid={cliSignature !== undefined}
        />

        <div className="row">
          <button type="submit" className="primary" disabled={!ready || busy}>
            {busy ? 'Submitting…' : rejected ? 'Sign and resubmit' : 'Sign and submit'}
          </button>
        </div>
      </form>

      {failure !== undefined && <ErrorState error={failure} />}
      {rejected && <Rejection rejected={rejected} format={format} lines={lines} />}
      {accepted && <AcceptedView accepted={accepted} />}
    </Page>
  );
}

/** The report file, dropped or chosen, and its text, editable to fix what the server refused. */
function ReportInput({
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
  const [dragging, setDragging] = useState(false);
  const hash = useMemo(() => sha256Hex(signed), [signed]);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const f = e.dataTransfer.files[0];
    if (f) void load(f);
  };
  return (
    <Section title="1. The report">
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
        <span>Drop a report file here, or choose one</span>
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
          <strong>{fileName}</strong> is empty (0 bytes): there is nothing to submit. Choose the report file.
        </p>
      )}
      {fileProblem === 'not-utf8' && (
        <div className="notice notice-error" role="alert">
          <p>
            <strong>{fileName}</strong> is not UTF-8 text, so it cannot be submitted as it is. Save it as
            UTF-8 (in a spreadsheet: CSV UTF-8) and choose it again.
          </p>
          <p>
            <button type="button" onClick={convert}>
              Convert it from Windows-1252 and show the result
            </button>
          </p>
        </div>
      )}
      {converted && (
        <p className="notice" role="status">
          Converted from Windows-1252: check every character below before signing. The UTF-8 text shown is
          what is signed and stored, so its SHA-256 differs from your file's.
        </p>
      )}
      {text !== '' && (
        <>
          <div className="row">
            <span>
              <strong>{fileName || 'report'}</strong> · {signed.length} bytes
              {bom ? ' · starts with a UTF-8 byte order mark (kept)' : ''}
            </span>
            <label htmlFor="report-format">Format</label>
            <select id="report-format" value={format} onChange={(e) => setFormat(e.target.value as Format)}>
              <option value="json">JSON</option>
              <option value="csv">CSV</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="report-text">Report content (edit here to fix problems, then resubmit)</label>
            <textarea
              id="report-text"
              className="mono"
              rows={Math.min(18, Math.max(6, lines.length + 1))}
              value={text}
              spellCheck={false}
              onChange={(e) => edit(e.target.value)}
            />
          </div>
          <p className="muted small">
            SHA-256 of the bytes to sign: <code data-testid="signed-sha256">{hash}</code>
          </p>
        </>
      )}
    </Section>
  );
}

function Rejection({
  rejected,
  format,
  lines,
}: {
  rejected: { error: ApiError; details: ErrorDetail[] };
  format: Format;
  lines: string[];
}) {
  // Capped (issue 16 item 8): a row of 200 000 cells gives a thousand problems; the first ones are
  // listed, the rest counted, and each file row shown beside a problem is cut short.
  const all = rejected.details.map((d, i) => ({ ...d, n: i }));
  const { shown: rows, total, hidden } = capProblems(all);
  const columns: Column<ErrorDetail & { n: number }>[] = [
    {
      key: 'line',
      header: 'Line',
      render: (d) => str(d.line),
      sortValue: (d) => Number(d.line ?? 0),
      numeric: true,
    },
    {
      key: 'field',
      header: 'Field',
      render: (d) => <span className="mono">{str(d.field)}</span>,
      sortValue: (d) => str(d.field),
    },
    {
      key: 'code',
      header: 'Code',
      render: (d) => <span className="mono">{str(d.code)}</span>,
      sortValue: (d) => str(d.code),
    },
    {
      key: 'message',
      header: 'Problem',
      render: (d) => truncateRow(str(d.message), 300),
      sortValue: (d) => str(d.message),
    },
  ];
  if (format === 'csv') {
    const byLine = csvRowsByLine(lines);
    const at = (d: ErrorDetail) => (typeof d.line === 'number' ? byLine.get(d.line) : undefined);
    columns.push({
      key: 'source',
      header: 'In your file',
      render: (d) => {
        const src = at(d);
        return src === undefined ? (
          ''
        ) : (
          <>
            <span className="muted small">row {src.row}: </span>
            <code>{truncateRow(src.text)}</code>
          </>
        );
      },
    });
  }
  return (
    <section aria-labelledby="rejected-title" className="section">
      <h2 id="rejected-title">The report was not accepted</h2>
      <p className="notice notice-error" role="alert">
        <strong>
          {total === 0 ? rejected.error.message : `${total} problem${total === 1 ? '' : 's'} to fix.`}
        </strong>{' '}
        Nothing was stored except the fact of this attempt. Fix the lines below in the editor above and
        resubmit.
      </p>
      {rows.length > 0 && (
        <Table caption="Validation problems" columns={columns} rows={rows} rowKey={(d) => String(d.n)} />
      )}
      {hidden > 0 && (
        <p className="muted" role="note">
          The first {rows.length} problems are listed; {hidden} more are not shown. Fix these and resubmit to
          see the rest.
        </p>
      )}
    </section>
  );
}

function AcceptedView({ accepted }: { accepted: Accepted }) {
  const [receipt, setReceipt] = useState<string | undefined>(undefined);
  const [check, setCheck] = useState<ReceiptCheck | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    let live = true;
    (async () => {
      const text = await apiText(accepted.receiptUrl);
      if (!live) return;
      setReceipt(text);
      const verifier = verifierOf(await fetchLogKey());
      const result = await checkReceipt(text, verifier);
      if (live) setCheck(result);
    })().catch((e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [accepted.receiptUrl]);
  const download = receipt ? URL.createObjectURL(new Blob([receipt], { type: 'text/plain' })) : undefined;
  return (
    <section aria-labelledby="accepted-title" className="section">
      <h2 id="accepted-title">Report accepted</h2>
      <p className="notice notice-ok" role="status">
        <strong>Accepted as {accepted.id}</strong>, log entry {accepted.logIndex}.
      </p>
      {accepted.warnings.length > 0 && (
        <ul aria-label="Warnings">
          {accepted.warnings.map((w, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: warnings have no identity of their own
            <li key={i}>
              {w.line !== undefined && `line ${str(w.line)}: `}
              {str(w.message ?? w.code)}
            </li>
          ))}
        </ul>
      )}
      <h3>Receipt</h3>
      {error !== undefined && <ErrorState error={error} />}
      {!check && error === undefined && <p role="status">Fetching and verifying the receipt…</p>}
      {check && (
        <>
          <Verdict
            ok={check.ok}
            good="The receipt verifies in this browser"
            bad="The receipt does not verify"
          />
          <Checks steps={check.steps} label="Receipt checks" />
          {check.witnesses && <WitnessNote summary={check.witnesses} />}
        </>
      )}
      {receipt && download && (
        <p>
          <a href={download} download={`${accepted.id}.proof`}>
            Download the receipt
          </a>{' '}
          <span className="muted small">(verify offline with custos proof verify)</span>
        </p>
      )}
    </section>
  );
}
