import type { Instrument, Provision } from './legal.types.js';

/**
 * The model texts' provisions that Custos acts on, paraphrased (never the authoritative wording)
 * with their references: INFCIRC/153 (Corr.), the model comprehensive safeguards agreement, and
 * INFCIRC/540, the model Additional Protocol. Their figures are today's rules (domain.md §2, §7,
 * §8). They apply to a state that has no instrument in the register stating a rule, and the demo
 * world registers them as instruments, so its figures are these (decision 0031).
 */
export const MODEL_CSA_ID = 'INFCIRC-153';
export const MODEL_AP_ID = 'INFCIRC-540';

export const MODEL_CSA_PROVISIONS: readonly Provision[] = [
  {
    ref: 'INFCIRC/153 para 7',
    text: 'The State establishes and maintains a system of accounting for and control of all nuclear material subject to safeguards; the Agency verifies its findings.',
    obligations: [{ kind: 'duty', duty: 'keep-accounts', holder: 'state-authority' }],
  },
  {
    ref: 'INFCIRC/153 para 48',
    text: 'The Agency may send inspectors to facilities to verify design information, under arrangements agreed with the State.',
    obligations: [{ kind: 'notice', subject: 'div', leadTime: { as: 'agreed' } }],
  },
  {
    ref: 'INFCIRC/153 para 59',
    text: 'The State provides the Agency with the reports set out in paragraphs 60 to 69 for nuclear material subject to safeguards.',
    obligations: [{ kind: 'duty', duty: 'submit-reports', holder: 'state-authority' }],
  },
  {
    ref: 'INFCIRC/153 para 62',
    text: 'An initial report on all nuclear material subject to safeguards is dispatched within 30 days of the last day of the calendar month in which the agreement enters into force, reflecting the situation on that day.',
    obligations: [
      {
        kind: 'report',
        reportType: 'INITIAL',
        deadline: { anchor: 'end-of-month-of-entry-into-force', days: 30 },
      },
    ],
  },
  {
    ref: 'INFCIRC/153 para 63(a)',
    text: 'Inventory change reports showing every change in the inventory of nuclear material are dispatched as soon as possible and in any event within 30 days after the end of the month in which the changes occurred or were established.',
    obligations: [{ kind: 'report', reportType: 'ICR', deadline: { anchor: 'end-of-month', days: 30 } }],
  },
  {
    ref: 'INFCIRC/153 para 63(b)',
    text: 'Material balance reports, based on a physical inventory of the material actually present in the material balance area, are dispatched as soon as possible and in any event within 30 days after the physical inventory has been taken.',
    obligations: [{ kind: 'report', reportType: 'MBR', deadline: { anchor: 'pit', days: 30 } }],
  },
  {
    ref: 'INFCIRC/153 para 67',
    text: 'A physical inventory listing of every batch present at the physical inventory taking is attached to each material balance report, and so is due with it.',
    obligations: [{ kind: 'report', reportType: 'PIL', deadline: { anchor: 'pit', days: 30 } }],
  },
  {
    ref: 'INFCIRC/153 para 68',
    text: 'Special reports are made without delay when an unusual incident or circumstance leads the State to believe that nuclear material may have been lost, or when containment has changed unexpectedly.',
    obligations: [{ kind: 'report', reportType: 'SPECIAL', deadline: { anchor: 'without-delay' } }],
  },
  {
    ref: 'INFCIRC/153 para 71',
    text: 'The Agency may make ad hoc inspections to verify the initial report, to identify and verify changes since it, and to identify material before an international transfer out of or upon a transfer into the State.',
  },
  {
    ref: 'INFCIRC/153 para 72',
    text: 'The Agency may make routine inspections to verify that reports are consistent with records, the location, identity, quantity and composition of the material, and the causes of material unaccounted for and shipper/receiver differences.',
  },
  {
    ref: 'INFCIRC/153 para 73',
    text: 'The Agency may make special inspections, after consultation with the State, when the information made available by the State is not adequate for it to fulfil its responsibilities.',
  },
  {
    ref: 'INFCIRC/153 para 83(a)',
    text: 'Notice of ad hoc inspections: at least 24 hours for those that identify material in an international transfer; at least one week for those that verify the initial report or changes since it.',
    obligations: [
      { kind: 'notice', subject: 'ad-hoc', when: 'transfer', leadTime: { hours: 24 } },
      { kind: 'notice', subject: 'ad-hoc', leadTime: { hours: 168 } },
      { kind: 'duty', duty: 'receive-notices', holder: 'state-authority' },
    ],
  },
  {
    ref: 'INFCIRC/153 para 83(b)',
    text: 'Notice of special inspections: as promptly as possible after the Agency and the State have consulted.',
    obligations: [{ kind: 'notice', subject: 'special', leadTime: { as: 'after-consultation' } }],
  },
  {
    ref: 'INFCIRC/153 para 83(c)',
    text: 'Notice of routine inspections: at least 24 hours for facilities handling plutonium or uranium enriched above 5 % and for sealed stores containing such material; one week in all other cases.',
    obligations: [
      { kind: 'notice', subject: 'routine', when: 'strategic-facility', leadTime: { hours: 24 } },
      { kind: 'notice', subject: 'routine', leadTime: { hours: 168 } },
    ],
  },
  {
    ref: 'INFCIRC/153 para 84',
    text: 'As a supplementary measure, the Agency may carry out part of its routine inspections without advance notice, following the principle of random sampling.',
    obligations: [{ kind: 'notice', subject: 'unannounced', leadTime: { as: 'none' } }],
  },
  {
    ref: 'INFCIRC/153 para 85',
    text: 'The State is told of the designation of each inspector and may object to a proposed inspector.',
    obligations: [{ kind: 'duty', duty: 'designate-inspectors', holder: 'government' }],
  },
  {
    ref: 'INFCIRC/153 para 92',
    text: 'An intended export of more than one effective kilogram (or several to one State within three months exceeding it) is notified after the contract is concluded and normally at least two weeks before the material is prepared for shipping.',
    obligations: [{ kind: 'report', reportType: 'EXPORT_NOTICE', deadline: { anchor: 'event', days: -14 } }],
  },
  {
    ref: 'INFCIRC/153 para 95',
    text: 'An expected import of more than one effective kilogram is notified as far as possible in advance of its arrival and in any case no later than the date on which the recipient State assumes responsibility for the material.',
    obligations: [{ kind: 'report', reportType: 'IMPORT_NOTICE', deadline: { anchor: 'event', days: 0 } }],
  },
];

export const MODEL_AP_PROVISIONS: readonly Provision[] = [
  {
    ref: 'INFCIRC/540 Art. 2',
    text: 'The State provides a declaration of its nuclear fuel cycle activities: research and development, operational activities, buildings on each site, Annex I manufacturing, mines and concentration plants, source material, exempted material, waste, Annex II exports and imports, and ten-year plans.',
    obligations: [{ kind: 'duty', duty: 'submit-declarations', holder: 'state-authority' }],
  },
  {
    ref: 'INFCIRC/540 Art. 3.a',
    text: 'Initial declarations under Article 2.a.(i), (iii), (iv), (v), (vi)(a), (vii) and (x) and 2.b.(i) are provided within 180 days of the entry into force of the Protocol.',
    obligations: [
      { kind: 'report', reportType: 'AP_INITIAL', deadline: { anchor: 'entry-into-force', days: 180 } },
    ],
  },
  {
    ref: 'INFCIRC/540 Art. 3.b',
    text: 'Updates of those declarations for the preceding calendar year are provided by 15 May of each year.',
    obligations: [
      { kind: 'report', reportType: 'AP_ANNUAL_UPDATE', deadline: { anchor: 'annual', month: 5, day: 15 } },
    ],
  },
  {
    ref: 'INFCIRC/540 Art. 3.c',
    text: 'Declarations under Article 2.a.(vi)(b) and (c), exports and imports of source material, are provided by 15 May of each year for the preceding calendar year.',
    obligations: [
      { kind: 'report', reportType: 'AP_SOURCE_MATERIAL', deadline: { anchor: 'annual', month: 5, day: 15 } },
    ],
  },
  {
    ref: 'INFCIRC/540 Art. 3.d',
    text: 'Declarations under Article 2.a.(ix)(a), exports of Annex II equipment and material, are provided quarterly, within 60 days of the end of each quarter.',
    obligations: [
      { kind: 'report', reportType: 'AP_ANNEX_II_EXPORTS', deadline: { anchor: 'end-of-quarter', days: 60 } },
    ],
  },
  {
    ref: 'INFCIRC/540 Art. 4.a',
    text: 'The Agency does not mechanistically or systematically seek to verify the declarations, but may have complementary access to locations to assure the absence of undeclared material and activities.',
    obligations: [{ kind: 'duty', duty: 'grant-access', holder: 'state-authority' }],
  },
  {
    ref: 'INFCIRC/540 Art. 4.b.(i)',
    text: 'The Agency gives the State advance notice of complementary access of at least 24 hours.',
    obligations: [{ kind: 'access', subject: 'complementary-access', noticePeriod: { hours: 24 } }],
  },
  {
    ref: 'INFCIRC/540 Art. 4.b.(ii)',
    text: 'For access to a place on a site sought together with a design information verification or an ad hoc or routine inspection on that site, the notice is at least two hours if the Agency so requests.',
    obligations: [
      {
        kind: 'access',
        subject: 'complementary-access',
        when: 'combined-with-inspection',
        noticePeriod: { hours: 2 },
      },
    ],
  },
];

/**
 * The model texts as instruments, without parties: the rules that apply when a state's register
 * states none. The demo registers them with its states as parties.
 */
export const MODEL_INSTRUMENTS: readonly Instrument[] = [
  {
    id: MODEL_CSA_ID,
    title: 'Model comprehensive safeguards agreement (INFCIRC/153 (Corr.)), paraphrased',
    kind: 'safeguards-agreement',
    parties: [],
    inForce: '1972-06-01',
    provisions: MODEL_CSA_PROVISIONS,
    version: 1,
  },
  {
    id: MODEL_AP_ID,
    title: 'Model Additional Protocol (INFCIRC/540 (Corr.)), paraphrased',
    kind: 'additional-protocol',
    parties: [],
    inForce: '1997-05-15',
    provisions: MODEL_AP_PROVISIONS,
    version: 1,
  },
];
