/**
 * The declarations of the Additional Protocol model (INFCIRC/540, Article 2) as structured item
 * schemas. An article code names the paragraph the declaration answers: `2.a.ix` for the Annex II
 * exports of Art. 2.a.(ix)(a), `2.a.ix.b` for the importing State's confirmation of Art.
 * 2.a.(ix)(b), `2.a.vi.a|b|c` for source-material holdings, exports and imports of Art.
 * 2.a.(vi)(a)–(c). The texts are paraphrased; the references are the model's.
 */

/** What one field of an item holds; every kind is checked by validateDeclaration. */
export type FieldKind =
  /** Free text, 1–2000 characters, no control characters. */
  | 'text'
  /** A calendar date `YYYY-MM-DD`, within the declaration's period. */
  | 'date'
  /** Another State's code (two capitals, not the declaring State). */
  | 'state'
  /** A non-negative amount with at most three decimals (kilograms, or items for equipment). */
  | 'quantity'
  /** A reference into Annex I (activities, `i`…`xv`). */
  | 'annex-i'
  /** A reference into Annex II (equipment and non-nuclear material, e.g. `5.1`, `5.1.1`). */
  | 'annex-ii'
  /** A reference to an attachment (a site map): `sha256:<64 hex>` of the attached file. */
  | 'attachment'
  /** A calendar year `YYYY`. */
  | 'year'
  /** One of `values`. */
  | 'enum';

export interface FieldSpec {
  readonly name: string;
  readonly kind: FieldKind;
  readonly required: boolean;
  readonly values?: readonly string[];
}

export interface ArticleSpec {
  readonly article: DeclarationArticle;
  /** The provision the declaration answers, as cited on screen. */
  readonly ref: string;
  readonly title: string;
  readonly fields: readonly FieldSpec[];
}

export const DECLARATION_ARTICLES = [
  '2.a.i',
  '2.a.ii',
  '2.a.iii',
  '2.a.iv',
  '2.a.v',
  '2.a.vi.a',
  '2.a.vi.b',
  '2.a.vi.c',
  '2.a.vii',
  '2.a.viii',
  '2.a.ix',
  '2.a.ix.b',
  '2.a.x',
  '2.b',
] as const;

export type DeclarationArticle = (typeof DECLARATION_ARTICLES)[number];

export function isDeclarationArticle(value: unknown): value is DeclarationArticle {
  return typeof value === 'string' && (DECLARATION_ARTICLES as readonly string[]).includes(value);
}

const f = (name: string, kind: FieldKind, required = true, values?: readonly string[]): FieldSpec =>
  values === undefined ? { name, kind, required } : { name, kind, required, values };

/** Source material of Art. 2.a.(vi): uranium or thorium not yet of fuel-fabrication composition. */
const SOURCE_ELEMENTS = ['U', 'Th'] as const;

const SPECS: readonly ArticleSpec[] = [
  {
    article: '2.a.i',
    ref: 'INFCIRC/540 Art. 2.a.(i)',
    title: 'Nuclear fuel cycle-related research and development not involving nuclear material',
    fields: [f('location', 'text'), f('description', 'text'), f('fundedBy', 'text', false)],
  },
  {
    article: '2.a.ii',
    ref: 'INFCIRC/540 Art. 2.a.(ii)',
    title: 'Operational activities of safeguards relevance at facilities and locations outside facilities',
    fields: [f('location', 'text'), f('description', 'text')],
  },
  {
    article: '2.a.iii',
    ref: 'INFCIRC/540 Art. 2.a.(iii)',
    title: 'Each building on each site, its use and contents, with a map of the site',
    fields: [f('site', 'text'), f('building', 'text'), f('description', 'text'), f('siteMap', 'attachment')],
  },
  {
    article: '2.a.iv',
    ref: 'INFCIRC/540 Art. 2.a.(iv)',
    title: 'Scale of operations of each location engaged in the activities of Annex I',
    fields: [f('annexRef', 'annex-i'), f('location', 'text'), f('scale', 'text')],
  },
  {
    article: '2.a.v',
    ref: 'INFCIRC/540 Art. 2.a.(v)',
    title: 'Uranium mines and concentration plants and thorium concentration plants',
    fields: [
      f('name', 'text'),
      f('location', 'text'),
      f('kind', 'enum', true, ['uranium-mine', 'uranium-concentration-plant', 'thorium-concentration-plant']),
      f('status', 'enum', true, ['operating', 'standby', 'under-construction', 'closed', 'decommissioned']),
      f('capacityKgPerYear', 'quantity'),
      f('productionKg', 'quantity'),
    ],
  },
  {
    article: '2.a.vi.a',
    ref: 'INFCIRC/540 Art. 2.a.(vi)(a)',
    title: 'Source material holdings: quantities, chemical composition, use and location',
    fields: [
      f('location', 'text'),
      f('element', 'enum', true, SOURCE_ELEMENTS),
      f('chemicalComposition', 'text'),
      f('quantityKg', 'quantity'),
      f('use', 'text'),
    ],
  },
  {
    article: '2.a.vi.b',
    ref: 'INFCIRC/540 Art. 2.a.(vi)(b)',
    title: 'Exports of source material for specifically non-nuclear purposes',
    fields: [
      f('element', 'enum', true, SOURCE_ELEMENTS),
      f('chemicalComposition', 'text'),
      f('quantityKg', 'quantity'),
      f('destinationState', 'state'),
      f('exportDate', 'date'),
    ],
  },
  {
    article: '2.a.vi.c',
    ref: 'INFCIRC/540 Art. 2.a.(vi)(c)',
    title: 'Imports of source material for specifically non-nuclear purposes',
    fields: [
      f('element', 'enum', true, SOURCE_ELEMENTS),
      f('chemicalComposition', 'text'),
      f('quantityKg', 'quantity'),
      f('originState', 'state'),
      f('importDate', 'date'),
    ],
  },
  {
    article: '2.a.vii',
    ref: 'INFCIRC/540 Art. 2.a.(vii)',
    title: 'Nuclear material exempted from safeguards',
    fields: [
      f('basis', 'enum', true, ['INFCIRC/153 para 36', 'INFCIRC/153 para 37']),
      f('location', 'text'),
      f('element', 'enum', true, ['U', 'Pu', 'Th']),
      f('quantityKg', 'quantity'),
      f('use', 'text'),
    ],
  },
  {
    article: '2.a.viii',
    ref: 'INFCIRC/540 Art. 2.a.(viii)',
    title: 'Intermediate or high-level waste containing plutonium, HEU or uranium-233 no longer safeguarded',
    fields: [
      f('location', 'text'),
      f('material', 'enum', true, ['Pu', 'HEU', 'U-233']),
      f('quantityKg', 'quantity'),
      f('processing', 'text', false),
    ],
  },
  {
    article: '2.a.ix',
    ref: 'INFCIRC/540 Art. 2.a.(ix)(a)',
    title: 'Exports of equipment and non-nuclear material listed in Annex II',
    fields: [
      f('annexRef', 'annex-ii'),
      f('description', 'text'),
      f('quantity', 'quantity'),
      f('destinationState', 'state'),
      f('intendedUseLocation', 'text'),
      f('exportDate', 'date'),
    ],
  },
  {
    article: '2.a.ix.b',
    ref: 'INFCIRC/540 Art. 2.a.(ix)(b)',
    title: "The importing State's confirmation of Annex II imports",
    fields: [
      f('annexRef', 'annex-ii'),
      f('quantity', 'quantity'),
      f('originState', 'state'),
      f('importDate', 'date'),
    ],
  },
  {
    article: '2.a.x',
    ref: 'INFCIRC/540 Art. 2.a.(x)',
    title: 'General plans for the succeeding ten years relevant to the nuclear fuel cycle',
    fields: [f('subject', 'text'), f('plan', 'text'), f('fromYear', 'year'), f('toYear', 'year')],
  },
  {
    article: '2.b',
    ref: 'INFCIRC/540 Art. 2.b.(i)',
    title: 'Research and development not involving nuclear material, not funded by the State',
    fields: [f('location', 'text'), f('description', 'text')],
  },
];

const BY_ARTICLE = new Map(SPECS.map((s) => [s.article, s]));

export function articleSpec(article: DeclarationArticle): ArticleSpec {
  return BY_ARTICLE.get(article) as ArticleSpec;
}

/**
 * Annex I of INFCIRC/540 lists fifteen activities, (i) manufacture of centrifuge rotor tubes …
 * (xv) construction of heavy water or deuterium plants' components; a reference names one of them.
 */
export const ANNEX_I_REFS = [
  'i',
  'ii',
  'iii',
  'iv',
  'v',
  'vi',
  'vii',
  'viii',
  'ix',
  'x',
  'xi',
  'xii',
  'xiii',
  'xiv',
  'xv',
] as const;

/**
 * Annex II of INFCIRC/540 (the trigger list of INFCIRC/254 Part 1 as it stood): sections 1
 * reactors and their equipment, 2 non-nuclear materials for reactors, 3 reprocessing, 4 fuel
 * fabrication, 5 isotope separation of uranium, 6 heavy water production, 7 uranium conversion
 * (added by the Board's later revisions). A reference is a section and its sub-items (`5.1`,
 * `5.1.1`, `2.1`), at most four levels deep.
 */
export const ANNEX_II_REF = /^[1-7](\.[1-9]\d?){1,3}$/;
