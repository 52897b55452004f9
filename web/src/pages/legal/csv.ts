/**
 * A small RFC 4180 reader for declaration uploads in the browser (csv-parse needs Node's Buffer):
 * quoted fields with doubled quotes, commas and line breaks inside quotes, CRLF or LF rows.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((x) => x !== ''));
}

/** CSV rows under a header of field names → items (cells as text; the form converts numbers). */
export function itemsFromCsv(text: string): Record<string, string>[] {
  const [header, ...rest] = parseCsv(text);
  if (!header) return [];
  const names = header.map((h) => h.trim());
  return rest.map((r) => {
    const item: Record<string, string> = {};
    names.forEach((n, i) => {
      const v = r[i] ?? '';
      if (n !== '' && v !== '') item[n] = v;
    });
    return item;
  });
}
