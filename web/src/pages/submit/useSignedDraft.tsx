import { useMemo, useState } from 'react';
import { apiJson } from '../../api.js';
import { bytesToSign } from '../../report-file.js';
import { parseSignatureHeader, type SigningKey } from '../../signing.js';
import { type Format, formatOf, ReportInput } from './ReportInput.js';
import { SignatureSection } from './SignatureSection.js';
import { useReportFile } from './useReportFile.js';

/**
 * A report being prepared for signing, shared by submitting and practising (decision 0026: practice
 * runs the very checks a submission does, so it must sign and send the very same bytes): the text
 * and its format, how it is signed (key file or the CLI's detached signature), the bytes signed
 * (decision 0024: the BOM kept) and the request that sends them. `onLoad` clears the page's own
 * outcome when a new text is shown.
 */
export function useSignedDraft(onLoad: () => void) {
  const [fileName, setFileName] = useState('');
  const [text, setText] = useState('');
  const [format, setFormat] = useState<Format>('json');
  const [mode, setMode] = useState<'key' | 'signature'>('key');
  const [key, setKey] = useState<SigningKey | undefined>(undefined);
  const [signature, setSignature] = useState('');
  const show = (name: string, body: string) => {
    setFileName(name);
    setText(body);
    setFormat(formatOf(name, body));
    onLoad();
  };
  const file = useReportFile(fileName, setFileName, show);
  /**
   * Show a text that comes from no file (a worked example): the last file's BOM, conversion mark
   * or refusal must not carry over to it, or its signed bytes would differ from what is shown.
   */
  const showText = (name: string, body: string) => {
    file.forget();
    show(name, body);
  };
  const cliSignature = parseSignatureHeader(signature);
  const ready = text !== '' && (mode === 'key' ? key !== undefined : cliSignature !== undefined);
  const signed = useMemo(() => bytesToSign(text, file.bom), [text, file.bom]);
  const lines = useMemo(() => text.split(/\r?\n/), [text]);
  /** POST the signed bytes to `path` with their signature header; only once `ready`. */
  const send = <T,>(path: string): Promise<T> =>
    apiJson<T>(path, {
      method: 'POST',
      rawBody: signed,
      headers: {
        'content-type': format === 'csv' ? 'text/csv' : 'application/json',
        'custos-signature': mode === 'key' ? key!.sign(signed) : cliSignature!,
      },
    });
  return {
    fileName,
    text,
    setText,
    format,
    setFormat,
    mode,
    setMode,
    key,
    setKey,
    signature,
    setSignature,
    cliSignature,
    ready,
    signed,
    lines,
    showText,
    send,
    ...file,
  };
}

export type SignedDraft = ReturnType<typeof useSignedDraft>;

/** The report's text with its file, format and lines, then how it is signed. */
export function DraftFields({ draft: d }: { draft: SignedDraft }) {
  return (
    <>
      <ReportInput
        fileName={d.fileName}
        text={d.text}
        signed={d.signed}
        bom={d.bom}
        converted={d.converted}
        fileProblem={d.fileProblem}
        convert={d.convert}
        format={d.format}
        setFormat={d.setFormat}
        lines={d.lines}
        load={d.load}
        edit={(next) => {
          d.setText(next);
          if (d.mode === 'signature') d.setSignature('');
        }}
      />
      <SignatureSection
        mode={d.mode}
        setMode={d.setMode}
        signingKey={d.key}
        setKey={d.setKey}
        signature={d.signature}
        setSignature={d.setSignature}
        valid={d.cliSignature !== undefined}
      />
    </>
  );
}
