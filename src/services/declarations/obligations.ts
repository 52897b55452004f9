import {
  type ApObligation,
  apDeadlineRulesFrom,
  computeApObligations,
  isDeclarationArticle,
} from '../../domain/declarations/index.js';
import { instrumentsBinding } from '../../domain/legal/index.js';
import { createDeclarationsRepo } from '../../store/declarations.repo.js';
import { createLegalRepo } from '../../store/legal.repo.js';
import { createRegistryRepo } from '../../store/registry.repo.js';
import type { Ports } from '../ports.js';

export interface StateApObligations {
  /** The Additional Protocol in force that creates them. */
  readonly agreement: string;
  readonly obligations: ApObligation[];
}

/**
 * A State's Article 3 obligations as of `today` (issue 19 item 4): none without an Additional
 * Protocol in force; else from its entry into force, with the rules of the provisions binding
 * the State (the legal register; the model INFCIRC/540 figures where it states none) and the
 * declarations it submitted (a few a quarter per article: bounded by the years in force).
 */
export async function computeStateApObligations(
  ports: Pick<Ports, 'db'>,
  state: string,
  today: string,
): Promise<StateApObligations | undefined> {
  const protocol = (await createRegistryRepo(ports.db).listAgreements())
    .filter(
      (a) =>
        a.type === 'AP' &&
        a.status === 'in-force' &&
        a.entryIntoForce <= today &&
        a.parties.some((x) => x.kind === 'state' && x.ref === state),
    )
    .sort((a, b) => a.entryIntoForce.localeCompare(b.entryIntoForce) || a.id.localeCompare(b.id))[0];
  if (!protocol) return undefined;
  const instruments = await createLegalRepo(ports.db.kysely).instrumentsOfParty(state);
  const rules = apDeadlineRulesFrom(instrumentsBinding(instruments, state, today));
  const declarations = (await createDeclarationsRepo(ports.db).forDeadlines(state)).flatMap((d) => {
    const article = d.article;
    return isDeclarationArticle(article)
      ? [
          {
            id: d.id,
            article,
            period: { from: d.period_from, to: d.period_to },
            submittedAt: d.submitted_at,
            supplements: d.supplements,
          },
        ]
      : [];
  });
  return {
    agreement: protocol.id,
    obligations: computeApObligations({
      protocol: { id: protocol.id, entryIntoForce: protocol.entryIntoForce },
      declarations,
      today,
      rules,
    }),
  };
}
