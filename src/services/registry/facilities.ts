import type { Principal } from '../../domain/policy/index.js';
import type { Facility, FacilityType, Kmp, Mba } from '../../domain/registry/index.js';
import type { Page, PageRequest } from '../../store/paging.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import type { Ports } from '../ports.js';
import { enforce, scopeOf } from '../scope.js';
import { ALL, attributionOf, checkSort, mustNotExist, notFound, shownOf, unknownRef } from './shared.js';

/** Facilities, MBAs and KMPs: state data, scoped to the caller's states. */
export function createFacilities(ports: Pick<Ports, 'db' | 'clock'>) {
  const repo = createRegistryRepo(ports.db);
  const k = ports.db.kysely;
  const attribution = (p: Principal) => attributionOf(ports, p);
  return {
    // ---- facilities, MBAs, KMPs (state data: scoped)
    async createFacility(p: Principal, f: Facility): Promise<Facility> {
      enforce(p, 'facility.write', await scopeOf(ports, p), { state: f.state });
      if (!(await repo.getState(f.state))) unknownRef(`state ${f.state}`);
      await mustNotExist(await repo.getFacility(f.code), `facility ${f.code}`);
      await repo.insertFacility(k, f, attribution(p));
      return f;
    },
    /** Only facilities of states in the caller's scope; the filters narrow within it. */
    async listFacilities(
      p: Principal,
      filter: { state?: string | undefined; type?: FacilityType | undefined },
      req: PageRequest = ALL,
    ): Promise<Page<Facility>> {
      const scope = await scopeOf(ports, p);
      enforce(p, 'data.read', scope);
      return repo.pageFacilities(shownOf(scope), filter, checkSort('facilities', req));
    },
    async getFacility(p: Principal, code: string): Promise<Facility> {
      const f = await repo.getFacility(code);
      enforce(p, 'data.read', await scopeOf(ports, p), { state: f?.state ?? '\0' });
      return f ?? notFound();
    },
    async createMba(p: Principal, m: Mba): Promise<Mba> {
      const f = await repo.getFacility(m.facility);
      const scope = await scopeOf(ports, p);
      enforce(p, 'facility.write', scope, { state: f?.state ?? '\0' });
      if (!f) unknownRef(`facility ${m.facility}`);
      await mustNotExist(await repo.getMba(m.code), `MBA ${m.code}`);
      await repo.insertMba(k, m, attribution(p));
      return m;
    },
    async listMbas(
      p: Principal,
      filter: { facility?: string | undefined; state?: string | undefined },
      req: PageRequest = ALL,
    ): Promise<Page<Mba & { state: string; facilityName: string }>> {
      const scope = await scopeOf(ports, p);
      enforce(p, 'data.read', scope);
      return repo.pageMbas(shownOf(scope), filter, checkSort('mbas', req));
    },
    async getMba(p: Principal, code: string): Promise<Mba & { state: string }> {
      const m = await repo.getMba(code);
      enforce(p, 'data.read', await scopeOf(ports, p), { state: m?.state ?? '\0' });
      return m ?? notFound();
    },
    async createKmp(p: Principal, kmp: Kmp): Promise<Kmp> {
      const m = await repo.getMba(kmp.mba);
      enforce(p, 'facility.write', await scopeOf(ports, p), { state: m?.state ?? '\0' });
      if (!m) unknownRef(`MBA ${kmp.mba}`);
      await mustNotExist(await repo.kmpExists(kmp.mba, kmp.code), `KMP ${kmp.code} in ${kmp.mba}`);
      await repo.insertKmp(k, kmp, attribution(p));
      return kmp;
    },
    async listKmps(
      p: Principal,
      filter: { mba?: string | undefined; state?: string | undefined },
      req: PageRequest = ALL,
    ): Promise<Page<Kmp>> {
      const scope = await scopeOf(ports, p);
      enforce(p, 'data.read', scope);
      return repo.pageKmps(shownOf(scope), filter, checkSort('kmps', req));
    },
    async getKmp(p: Principal, mba: string, code: string): Promise<Kmp> {
      const list = await repo.listKmps({ mba });
      const found = list.find((x) => x.code === code);
      enforce(p, 'data.read', await scopeOf(ports, p), { state: found?.state ?? '\0' });
      if (!found) return notFound();
      const { state: _s, ...kmp } = found;
      return kmp;
    },
  };
}
