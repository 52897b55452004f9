import { type InspectionStatement, statementBytes } from '../../domain/inspections/index.js';
import type { Principal } from '../../domain/policy/index.js';
import { createFederationRepo } from '../../store/federation.repo.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import type { Ports } from '../ports.js';
import { assertReportReadable } from '../reports/queries.js';

/**
 * The statements of inspection `id` that peers forwarded under an arrangement (decision 0044) and
 * that `p` may read (its state's data): each the origin's, with its origin, never merged with this
 * node's own. `logIndex` is this node's own `received` record; its provenance names the origin's.
 */
export async function listForwardedStatements(ports: Pick<Ports, 'db'>, p: Principal, id: string) {
  const registry = createRegistryRepo(ports.db);
  const out = [];
  for (const row of await createFederationRepo(ports.db).forwardedStatements(id)) {
    try {
      await assertReportReadable(ports, p, row.state);
    } catch {
      continue;
    }
    const c = JSON.parse(row.content ?? '{}') as {
      statement: InspectionStatement;
      signature: string;
      keyId: string;
    };
    const key = await registry.getSigningKey(c.keyId);
    out.push({
      inspection: id,
      organisation: c.statement.inspectorate,
      statement: c.statement,
      signedBytes: new TextDecoder().decode(statementBytes(c.statement)),
      signature: c.signature,
      keyId: c.keyId,
      publicKey: key?.publicKey ?? null,
      receivedAt: row.received_at,
      logIndex: row.received_index,
      origin: row.source,
    });
  }
  return out;
}
