/**
 * A report id in a list, as a link to the report exactly as it was signed and stored (its body:
 * the file the state sent, byte for byte), issue 16 item 10.
 */
export function ReportLink({ id }: { id: string }) {
  return (
    <a className="mono" href={`/api/reports/${encodeURIComponent(id)}/body`} target="_blank" rel="noopener">
      {id}
    </a>
  );
}
