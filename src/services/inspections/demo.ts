import { existsSync, readFileSync } from 'node:fs';
import type { Principal } from '../../domain/policy/index.js';
import type { OrganisationKind } from '../../domain/registry/index.js';
import { ed25519Sign } from '../../log/index.js';
import { createUsersRepo } from '../../store/users.repo.js';
import { parseRoles } from '../auth.js';
import { demoKeyPath } from '../demo/seed.js';
import type { Ports } from '../ports.js';
import { createInspectionService } from './service.js';
import { statementBytes } from './statement.js';

const DAY = 86_400_000;

export interface DemoInspection {
  readonly inspection: string;
  readonly samplingPlan: string;
  readonly findings: readonly string[];
  readonly caseId: string | null;
  readonly statements: readonly { organisation: string; logIndex: number }[];
}

/** The demo user `<org>.inspector` as a principal, so the demo goes through the same policy. */
async function inspectorOf(ports: Ports, organisation: string): Promise<Principal> {
  const u = await createUsersRepo(ports.db).withOrganisationByLogin(`${organisation}.inspector`);
  if (!u || u.organisationId !== organisation || u.organisationKind === null) {
    throw new Error(`the demo inspector of ${organisation} is missing: seed the demo registry first`);
  }
  return {
    userId: u.id,
    login: u.login,
    organisationId: organisation,
    organisationKind: u.organisationKind as OrganisationKind,
    state: u.state,
    roles: parseRoles(u.roles),
  };
}

function demoSeed(ports: Ports, organisation: string): Uint8Array {
  const path = demoKeyPath(ports.config.dataDir, organisation);
  if (!existsSync(path)) throw new Error(`demo key ${path} is missing: seed the demo registry first`);
  return new Uint8Array(Buffer.from(readFileSync(path, 'utf8').trim(), 'base64'));
}

/**
 * The demo world's joint inspection: the agency and the regional authority inspect the Arcadia
 * fuel fabrication plant (MBA XA-F1) together, the agency measuring assemblies by NDA on a
 * logged, seeded sample and the regional authority checking seals. One assembly lacks 120 g of
 * uranium: a significant item difference, a partial-defect finding and an anomaly case. Each
 * inspectorate then signs its own statement with its demo key. `admin` attributes nothing here
 * (every write is made by the inspectors); it is taken for symmetry with the other seeders.
 */
export async function seedDemoInspection(ports: Ports, _admin: Principal): Promise<DemoInspection> {
  const svc = createInspectionService(ports);
  const agency = await inspectorOf(ports, 'agency');
  const rsa = await inspectorOf(ports, 'rsa');
  const now = ports.clock.now().getTime();
  const iso = (ms: number) => new Date(now + ms).toISOString();

  const inspection = await svc.createInspection(agency, {
    type: 'routine',
    facility: 'XA-FAB',
    mbas: ['XA-F1'],
    participants: ['agency', 'rsa'],
    startsAt: iso(-3 * DAY),
    noticeGivenAt: iso(-12 * DAY),
    plannedManDays: 12,
    inventoryEkg: 95,
    throughputEkg: 180,
    activities: ['item-counting', 'nda-measurement', 'seal-check', 'records-examination'],
    assignments: [
      { activity: 'item-counting', inspectorate: 'rsa' },
      { activity: 'nda-measurement', inspectorate: 'agency' },
      { activity: 'seal-check', inspectorate: 'rsa' },
      { activity: 'records-examination', inspectorate: 'agency' },
    ],
  });
  const id = inspection.id;
  await svc.recordArrival(agency, id, iso(-3 * DAY));

  // 300 LEU assemblies of ~500 g U-235 each; the goal is 1 SQ of LEU expressed here as 8 kg.
  const population = 300;
  const itemIds = Array.from({ length: population }, (_, i) => `XA-F1-ASM-${String(i + 1).padStart(3, '0')}`);
  const plan = await svc.createSamplingPlan(agency, {
    population,
    averageContent: 500,
    goalQuantity: 8000,
    nonDetectionProbability: 0.1,
    defectLevel: 'partial',
    itemIds,
    seed: `demo:${id}`,
    inspectionId: id,
  });
  const sample = plan.sample ?? [];
  const errors = {
    operator: { random: 0.001, systematic: 0.0005 },
    inspector: { random: 0.003, systematic: 0.001 },
  };
  await svc.defineStratum(agency, id, 'assemblies', {
    mba: 'XA-F1',
    activity: 'nda-measurement',
    population,
    goalQuantity: 8000,
    samplingPlanId: plan.id as string,
    ...errors,
  });
  await svc.recordItems(
    agency,
    id,
    'assemblies',
    sample.map((itemId, i) => {
      const declared = 480 + ((i * 7) % 40);
      // Small measurement scatter, within the methods' errors; one assembly is 120 g short.
      const measured = i === 5 ? declared - 120 : declared * (1 + (((i * 13) % 5) - 2) * 0.0008);
      return { itemId, declared, measured: Math.round(measured * 1000) / 1000 };
    }),
  );
  await svc.defineStratum(rsa, id, 'seals', {
    mba: 'XA-F1',
    activity: 'seal-check',
    population: 12,
    ...errors,
  });
  await svc.recordItems(
    rsa,
    id,
    'seals',
    Array.from({ length: 12 }, (_, i) => ({
      itemId: `XA-F1-SEAL-${i + 1}`,
      declared: 0,
      present: true,
      sealIntact: true,
    })),
  );

  const findings = await svc.listFindings(agency, id);
  const defect = findings.find((f) => f.type === 'partial-defect' || f.type === 'gross-defect');
  let caseId: string | null = null;
  if (defect) caseId = (await svc.openCase(agency, id, defect.id, 'anomaly')).caseId;

  const statements: { organisation: string; logIndex: number }[] = [];
  const conclusions: Record<string, string> = {
    agency:
      'Item and stratum tests performed on 41 assemblies; one significant partial defect (follow-up case opened). ' +
      'No other anomaly.',
    rsa: 'Seals checked: all 12 present and intact. Item counting agrees with the records.',
  };
  for (const who of [agency, rsa]) {
    const org = who.organisationId as string;
    const draft = await svc.draftStatement(who, id);
    const statement = { ...draft, conclusion: conclusions[org] ?? 'Inspection completed.' };
    const signature = Buffer.from(ed25519Sign(demoSeed(ports, org), statementBytes(statement))).toString(
      'base64',
    );
    const signed = await svc.submitStatement(who, id, { statement, signature });
    statements.push({ organisation: org, logIndex: signed.logIndex });
  }
  return {
    inspection: id,
    samplingPlan: plan.id as string,
    findings: findings.map((f) => f.id),
    caseId,
    statements,
  };
}
