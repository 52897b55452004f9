/**
 * Issue 8 budget: gzipped size of the JavaScript the built index.html loads before the first
 * screen (entry module scripts and the chunks they modulepreload), measured on web/dist as built.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Figure, ROOT } from './lib.js';

const S = 'web';

export function initialScripts(html: string): string[] {
  const refs = new Set<string>();
  for (const m of html.matchAll(/<script\b[^>]*\btype="module"[^>]*\bsrc="([^"]+)"/g))
    refs.add(m[1] as string);
  for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"[^>]*\btype="module"/g))
    refs.add(m[1] as string);
  for (const m of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+)"/g))
    refs.add(m[1] as string);
  return [...refs];
}

export function benchWeb(): Figure[] {
  const dist = join(ROOT, 'web', 'dist');
  const index = join(dist, 'index.html');
  const name = 'Initial JavaScript, gzipped (entry scripts + modulepreloads of web/dist/index.html)';
  if (!existsSync(index))
    return [
      { section: S, name, value: undefined, unit: 'kB', note: 'web/dist not built (npm run build:web)' },
    ];
  const html = readFileSync(index, 'utf8');
  const scripts = initialScripts(html).filter((s) => !/^https?:/.test(s));
  let gz = 0;
  let raw = 0;
  for (const src of scripts) {
    const bytes = readFileSync(join(dist, src.replace(/^\//, '')));
    raw += bytes.length;
    gz += gzipSync(bytes, { level: 9 }).length;
  }
  const built = statSync(index).mtime.toISOString().slice(0, 16).replace('T', ' ');
  return [
    {
      section: S,
      name,
      value: gz / 1024,
      unit: 'kB',
      target: { op: '<=', value: 300 },
      note: `${scripts.length} file(s), ${(raw / 1024).toFixed(0)} kB before gzip; dist built ${built} UTC`,
    },
  ];
}
