import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { DomainError, isDomainError } from '../domain/errors.js';
import { computeKeyId } from '../domain/registry/index.js';
import { ed25519PublicKey, ed25519Sign, encodeBase64, tryDecodeBase64 } from '../log/index.js';
import { readInputText } from './files.js';
import { addRemoteOptions, callApi, type RemoteOptions } from './http.js';

/**
 * Key files as `custos keygen` writes them (and the web page reads them): `<prefix>.key` holds the
 * base64 of the 32-byte Ed25519 seed (0600), `<prefix>.pub` the base64 of the raw 32-byte public
 * key. Both are 44 characters of base64, so the content alone cannot tell them apart: the name
 * does offline, and the organisation's registered keys do online (refusePublicKeyAsSeed).
 */
function keyBytes(path: string, what: 'private' | 'public'): Uint8Array {
  const text = readInputText(path, `the ${what} key`).trim();
  const expected =
    what === 'private'
      ? 'a private key file: the base64 32-byte Ed25519 seed that custos keygen writes as <prefix>.key'
      : 'a public key file: the base64 32-byte Ed25519 public key that custos keygen writes as <prefix>.pub';
  if (text.startsWith('-----BEGIN'))
    throw new DomainError('KEY_INVALID', `${path} is a PEM file; expected ${expected}`);
  if (/^[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/.test(text))
    throw new DomainError('KEY_INVALID', `${path} holds a log verifier key; expected ${expected}`);
  const bytes = tryDecodeBase64(text);
  if (bytes === undefined || bytes.length !== 32)
    throw new DomainError('KEY_INVALID', `${path} is not ${expected}`);
  return bytes;
}

/** The organisation's private key (seed) for signing; a `.pub` file is refused by name. */
export function readSeed(path: string): Uint8Array {
  if (path.endsWith('.pub'))
    throw new DomainError(
      'KEY_INVALID',
      `${path} is the public key; sign with the private key (custos keygen wrote it as ${path.slice(0, -4)}.key)`,
    );
  return keyBytes(path, 'private');
}

/** The public key to register; a `.key` file is refused by name so a secret is never sent. */
function readPublicKey(path: string): Uint8Array {
  if (path.endsWith('.key'))
    throw new DomainError(
      'KEY_INVALID',
      `${path} is the private key, which never leaves your machine; register the public key (custos keygen wrote it as ${path.slice(0, -4)}.pub)`,
    );
  return keyBytes(path, 'public');
}

/** `Custos-Signature` value for a body: `<keyId>:<base64 signature over the exact bytes>`. */
export function signatureHeader(seed: Uint8Array, body: Uint8Array): string {
  return `${computeKeyId(ed25519PublicKey(seed))}:${encodeBase64(ed25519Sign(seed, body))}`;
}

/** The caller's organisation: --organisation, else the one of the token's user (GET /api/me). */
async function ownOrganisation(opts: RemoteOptions & { organisation?: string }): Promise<string> {
  if (opts.organisation) return opts.organisation;
  const me = (await callApi(opts, 'GET', '/api/me')).json as { organisation?: string | null };
  if (!me.organisation)
    throw new DomainError('BAD_REQUEST', 'your user belongs to no organisation: give --organisation <id>');
  return me.organisation;
}

/** An organisation's registered key ids (the first 1000 in registration order: ample for keys). */
async function registeredKeyIds(opts: RemoteOptions, organisation: string): Promise<Set<string>> {
  const page = (
    await callApi(opts, 'GET', `/api/organisations/${encodeURIComponent(organisation)}/keys?limit=1000`)
  ).json as { items?: { id: string }[] };
  return new Set((page.items ?? []).map((k) => k.id));
}

/**
 * Before a report is signed with `--key`'s bytes and sent: if those bytes are one of the
 * organisation's registered PUBLIC keys (a renamed .pub), say so, instead of letting the server
 * refuse the report with KEY_UNKNOWN and log that refusal forever. Best effort: a user who may not
 * read the key directory goes on to the server's own check.
 */
export async function refusePublicKeyAsSeed(
  opts: RemoteOptions,
  path: string,
  seed: Uint8Array,
): Promise<void> {
  let ids: Set<string>;
  try {
    ids = await registeredKeyIds(opts, await ownOrganisation(opts));
  } catch (err) {
    if (isDomainError(err) && ['FORBIDDEN', 'NOT_FOUND', 'BAD_REQUEST'].includes(err.code)) return;
    throw err;
  }
  const asPublic = computeKeyId(seed);
  if (ids.has(asPublic) && !ids.has(computeKeyId(ed25519PublicKey(seed)))) {
    throw new DomainError(
      'KEY_INVALID',
      `${path} holds the registered public key ${asPublic}, not the private key that signs for it; give --key the private key file (custos keygen writes it as <prefix>.key)`,
    );
  }
}

export function registerKeyCommands(program: Command): void {
  program
    .command('keygen')
    .description('write an Ed25519 key pair: <out>.key (private, 0600) and <out>.pub (public, to register)')
    .requiredOption('--out <prefix>', 'file prefix, e.g. ./xa-ssac')
    .action((opts: { out: string }) => {
      const { privateKey } = generateKeyPairSync('ed25519');
      const jwk = privateKey.export({ format: 'jwk' });
      const seed = Buffer.from(jwk.d as string, 'base64url');
      const pub = Buffer.from(jwk.x as string, 'base64url');
      for (const f of [`${opts.out}.key`, `${opts.out}.pub`]) {
        if (existsSync(f)) throw new DomainError('ALREADY_EXISTS', `${f} exists; not overwriting a key`);
      }
      writeFileSync(`${opts.out}.key`, `${seed.toString('base64')}\n`, { mode: 0o600 });
      writeFileSync(`${opts.out}.pub`, `${pub.toString('base64')}\n`);
      process.stdout.write(
        `key id ${computeKeyId(pub)}\nprivate key: ${opts.out}.key (keep it secret)\npublic key:  ${opts.out}.pub\n` +
          `register it (an administrator of your organisation): custos key register ${opts.out}.pub --url <node> --token <token>\n`,
      );
    });

  const key = program.command('key').description("your organisation's signing keys");
  addRemoteOptions(
    key
      .command('register <public-key-file>')
      .description(
        "register a public key (custos keygen's <prefix>.pub) as a signing key of your organisation",
      )
      .option('--organisation <id>', "the organisation (default: your user's)")
      .option('--valid-from <time>', 'RFC 3339 start of validity (default: now)')
      .option('--valid-to <time>', 'RFC 3339 end of validity (default: none)'),
  ).action(
    async (
      file: string,
      opts: RemoteOptions & { organisation?: string; validFrom?: string; validTo?: string },
    ) => {
      const publicKey = encodeBase64(readPublicKey(file));
      const organisation = await ownOrganisation(opts);
      const body = JSON.stringify({
        publicKey,
        ...(opts.validFrom ? { validFrom: opts.validFrom } : {}),
        ...(opts.validTo ? { validTo: opts.validTo } : {}),
      });
      const res = await callApi(opts, 'POST', `/api/organisations/${encodeURIComponent(organisation)}/keys`, {
        bytes: body,
        contentType: 'application/json',
      });
      const k = res.json as { id: string; validFrom: string; validTo: string | null; logIndex: number };
      process.stdout.write(
        `registered key ${k.id} for ${organisation}, valid from ${k.validFrom}${k.validTo ? ` to ${k.validTo}` : ''} (log index ${k.logIndex})\n`,
      );
    },
  );
}
