import {
  type InstrumentInput,
  MODEL_AP_ID,
  MODEL_AP_PROVISIONS,
  MODEL_CSA_ID,
  MODEL_CSA_PROVISIONS,
} from '../../domain/legal/index.js';
import type {
  Agreement,
  Facility,
  Kmp,
  Mba,
  Organisation,
  Role,
  State,
} from '../../domain/registry/index.js';

/**
 * The demo world: three states (XA and XB in one regional community), their authorities, one
 * international and one regional inspectorate, the agreements between them, six facilities of
 * different types with MBAs and KMPs carrying realistic measurement errors (0.1–0.5 % random,
 * 0.05–0.2 % systematic). Codes use ISO 3166 user-assigned space (XA…XZ): no real country.
 */
export const DEMO_STATES: State[] = [
  { code: 'XA', name: 'Arcadia' },
  { code: 'XB', name: 'Borduria' },
  { code: 'XC', name: 'Carpania' },
];

export const DEMO_ORGANISATIONS: Organisation[] = [
  { id: 'xa-ssac', name: 'Arcadian Safeguards Office', kind: 'state-authority', state: 'XA' },
  { id: 'xb-ssac', name: 'Bordurian Nuclear Regulatory Authority', kind: 'state-authority', state: 'XB' },
  { id: 'xc-ssac', name: 'Carpanian Authority for Nuclear Materials', kind: 'state-authority', state: 'XC' },
  { id: 'agency', name: 'International Safeguards Agency', kind: 'inspectorate', state: null },
  { id: 'rsa', name: 'Regional Safeguards Authority', kind: 'regional-inspectorate', state: null },
];

export const DEMO_AGREEMENTS: Agreement[] = [
  {
    id: 'CSA-XA',
    type: 'CSA',
    title: 'Comprehensive safeguards agreement (INFCIRC/153) — Arcadia, regional community and Agency',
    entryIntoForce: '2025-11-01',
    status: 'in-force',
    parties: [
      { kind: 'state', ref: 'XA' },
      { kind: 'organisation', ref: 'agency' },
      { kind: 'organisation', ref: 'rsa' },
    ],
  },
  {
    id: 'AP-XA',
    type: 'AP',
    title: 'Additional Protocol (INFCIRC/540) — Arcadia',
    entryIntoForce: '2025-11-01',
    status: 'in-force',
    parties: [
      { kind: 'state', ref: 'XA' },
      { kind: 'organisation', ref: 'agency' },
    ],
  },
  {
    id: 'CSA-XB',
    type: 'CSA',
    title: 'Comprehensive safeguards agreement (INFCIRC/153) — Borduria, regional community and Agency',
    entryIntoForce: '2025-11-01',
    status: 'in-force',
    parties: [
      { kind: 'state', ref: 'XB' },
      { kind: 'organisation', ref: 'agency' },
      { kind: 'organisation', ref: 'rsa' },
    ],
  },
  {
    id: 'REG-RC',
    type: 'REGIONAL',
    title: 'Regional safeguards treaty of the Arcadian–Bordurian community',
    entryIntoForce: '2025-11-01',
    status: 'in-force',
    parties: [
      { kind: 'state', ref: 'XA' },
      { kind: 'state', ref: 'XB' },
      { kind: 'organisation', ref: 'rsa' },
    ],
  },
  {
    id: 'CSA-XC',
    type: 'CSA',
    title: 'Comprehensive safeguards agreement (INFCIRC/153) — Carpania',
    entryIntoForce: '2025-11-01',
    status: 'in-force',
    parties: [
      { kind: 'state', ref: 'XC' },
      { kind: 'organisation', ref: 'agency' },
    ],
  },
];

/**
 * The legal register of the demo world (issue 19, decision 0031): the model texts' provisions
 * (paraphrased, with their references), to which the demo states are party as their agreements
 * say. Its deadlines and notices are therefore today's figures, each citing its provision.
 */
export const DEMO_INSTRUMENTS: InstrumentInput[] = [
  {
    id: MODEL_CSA_ID,
    title: 'Comprehensive safeguards agreements on the INFCIRC/153 model (paraphrased model text)',
    kind: 'safeguards-agreement',
    parties: ['XA', 'XB', 'XC', 'agency', 'rsa'],
    inForce: '2025-11-01',
    provisions: [...MODEL_CSA_PROVISIONS],
  },
  {
    id: MODEL_AP_ID,
    title: 'Additional Protocol on the INFCIRC/540 model (paraphrased model text) — Arcadia',
    kind: 'additional-protocol',
    parties: ['XA', 'agency'],
    inForce: '2025-11-01',
    provisions: [...MODEL_AP_PROVISIONS],
  },
];

export const DEMO_FACILITIES: Facility[] = [
  {
    code: 'XA-NPP',
    name: 'Arcadia Nuclear Power Station',
    type: 'power-reactor',
    state: 'XA',
    latitude: 47.41,
    longitude: 8.25,
  },
  {
    code: 'XA-FAB',
    name: 'Arcadia Fuel Fabrication Plant',
    type: 'fuel-fabrication',
    state: 'XA',
    latitude: 46.95,
    longitude: 7.45,
  },
  {
    code: 'XA-STO',
    name: 'Arcadia Central Interim Storage',
    type: 'storage',
    state: 'XA',
    latitude: 47.05,
    longitude: 8.95,
  },
  {
    code: 'XB-ENR',
    name: 'Borduria Enrichment Plant',
    type: 'enrichment',
    state: 'XB',
    latitude: 50.85,
    longitude: 12.9,
  },
  {
    code: 'XB-FAB',
    name: 'Borduria Fuel Fabrication Plant',
    type: 'fuel-fabrication',
    state: 'XB',
    latitude: 51.35,
    longitude: 12.4,
  },
  {
    code: 'XC-RR',
    name: 'Carpania Research Reactor',
    type: 'research-reactor',
    state: 'XC',
    latitude: 45.75,
    longitude: 21.23,
  },
];

export const DEMO_MBAS: Mba[] = [
  {
    code: 'XA-R1',
    facility: 'XA-NPP',
    description: 'Reactor core, fresh and spent fuel ponds (items)',
    itemMba: true,
  },
  { code: 'XA-F1', facility: 'XA-FAB', description: 'LEU powder, pellet and assembly lines', itemMba: false },
  { code: 'XA-S1', facility: 'XA-STO', description: 'Storage of UO2 and U3O8 drums', itemMba: false },
  { code: 'XB-E1', facility: 'XB-ENR', description: 'UF6 feed, product and tails', itemMba: false },
  {
    code: 'XB-F1',
    facility: 'XB-FAB',
    description: 'LEU fabrication (UO2 powder to assemblies)',
    itemMba: false,
  },
  {
    code: 'XC-R1',
    facility: 'XC-RR',
    description: 'Research reactor core and fuel store (items)',
    itemMba: true,
  },
];

function kmps(mba: string, r: number, s: number): Kmp[] {
  return [
    {
      mba,
      code: 'A',
      kind: 'flow',
      method: 'Receipt weighing + DA (titration, mass spectrometry)',
      randomRsd: r,
      systematicRsd: s,
    },
    { mba, code: 'B', kind: 'flow', method: 'Shipment weighing + DA', randomRsd: r, systematicRsd: s },
    {
      mba,
      code: 'C',
      kind: 'flow',
      method: 'Measured discards (NDA, gamma)',
      randomRsd: r * 4,
      systematicRsd: s * 3,
    },
    {
      mba,
      code: 'D',
      kind: 'inventory',
      method: 'Physical inventory: weighing + sampling + DA',
      randomRsd: r * 1.5,
      systematicRsd: s,
    },
  ];
}

export const DEMO_KMPS: Kmp[] = [
  ...kmps('XA-R1', 0.001, 0.0005),
  ...kmps('XA-F1', 0.002, 0.001),
  ...kmps('XA-S1', 0.001, 0.0005),
  ...kmps('XB-E1', 0.003, 0.002),
  ...kmps('XB-F1', 0.002, 0.001),
  ...kmps('XC-R1', 0.001, 0.0005),
];

/** One user per meaningful role per organisation (README lists them; `custos demo tokens`). */
export const DEMO_ROLES: Record<Organisation['kind'], Role[]> = {
  'state-authority': ['admin', 'submitter', 'reviewer', 'auditor'],
  operator: ['submitter', 'reviewer'],
  inspectorate: ['admin', 'inspector', 'reviewer', 'auditor'],
  'regional-inspectorate': ['admin', 'inspector', 'reviewer', 'auditor'],
};
