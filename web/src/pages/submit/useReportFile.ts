import { useState } from 'react';
import { convertFromWindows1252, readReportBytes } from '../../report-file.js';

/**
 * How the chosen file was read (docs/decisions/0024): its BOM is kept in the signed bytes; a file
 * that is empty or not UTF-8 is refused with a message, and converted from Windows-1252 only when
 * the user asks, the converted text marked as such. `show` puts a text in the editor; `forget`
 * clears all of this when a text comes from elsewhere (a worked example).
 */
export function useReportFile(
  fileName: string,
  setFileName: (name: string) => void,
  show: (name: string, body: string) => void,
) {
  const [bom, setBom] = useState(false);
  const [problem, setProblem] = useState<
    { kind: 'empty' } | { kind: 'not-utf8'; bytes: Uint8Array } | undefined
  >(undefined);
  const [converted, setConverted] = useState(false);
  const load = async (file: File) => {
    const bytes = new Uint8Array(await file.arrayBuffer());
    setFileName(file.name);
    setConverted(false);
    const read = readReportBytes(bytes);
    if (!read.ok) {
      setProblem(read.problem === 'empty' ? { kind: 'empty' } : { kind: 'not-utf8', bytes });
      setBom(false);
      show(file.name, '');
      return;
    }
    setProblem(undefined);
    setBom(read.bom);
    show(file.name, read.text);
  };
  const convert = () => {
    if (problem?.kind !== 'not-utf8') return;
    setProblem(undefined);
    setBom(false);
    setConverted(true);
    show(fileName, convertFromWindows1252(problem.bytes));
  };
  /** Forget how the last file was read: for a text that did not come from a file. */
  const forget = () => {
    setProblem(undefined);
    setBom(false);
    setConverted(false);
  };
  return { bom, fileProblem: problem?.kind, converted, load, convert, forget };
}
