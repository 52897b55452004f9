import { type DragEvent, type FormEvent, useEffect, useMemo, useState } from 'react';
import { ApiError, apiJson, apiText, type ErrorDetail, isApiError } from '../api.js';
import { ErrorState } from '../components/async.js';
import { Checks, Verdict, WitnessNote } from '../components/Checks.js';
import { Page, Section } from '../components/Page.js';
import { type Column, Table } from '../components/Table.js';
import { parseSignatureHeader, readSigningKey, type SigningKey } from '../signing.js';
import { checkReceipt, fetchLogKey, type ReceiptCheck, verifierOf } from '../verify.js';

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

  const load = async (file: File) => {
    const body = await file.text();
    setFileName(file.name);
    setText(body);
    setFormat(formatOf(file.name, body));
    setRejected(undefined);
    setAccepted(undefined);
    setFailure(undefined);
  };
  const cliSignature = parseSignatureHeader(signature);
  const ready = text !== '' && (mode === 'key' ? key !== undefined : cliSignature !== undefined);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setRejected(undefined);
    setFailure(undefined);
    setAccepted(undefined);
    try {
      const bytes = new TextEncoder().encode(text);
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
  format,
  setFormat,
  lines,
  load,
  edit,
}: {
  fileName: string;
  text: string;
  format: Format;
  setFormat(f: Format): void;
  lines: readonly string[];
  load(file: File): Promise<void>;
  edit(text: string): void;
}) {
  const [dragging, setDragging] = useState(false);
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
      {text !== '' && (
        <>
          <div className="row">
            <span>
              <strong>{fileName || 'report'}</strong> · {new TextEncoder().encode(text).length} bytes
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
        </>
      )}
    </Section>
  );
}

/** Signed here with the organisation's key file, or with the CLI's signature pasted. */
function SignatureSection({
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

function Rejection({
  rejected,
  format,
  lines,
}: {
  rejected: { error: ApiError; details: ErrorDetail[] };
  format: Format;
  lines: string[];
}) {
  const rows = rejected.details.map((d, i) => ({ ...d, n: i }));
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
    { key: 'message', header: 'Problem', render: (d) => str(d.message), sortValue: (d) => str(d.message) },
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
            <code>{src.text}</code>
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
          {rows.length === 0
            ? rejected.error.message
            : `${rows.length} problem${rows.length === 1 ? '' : 's'} to fix.`}
        </strong>{' '}
        Nothing was stored except the fact of this attempt. Fix the lines below in the editor above and
        resubmit.
      </p>
      {rows.length > 0 && (
        <Table caption="Validation problems" columns={columns} rows={rows} rowKey={(d) => String(d.n)} />
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
