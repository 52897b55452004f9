/** Page models: what a user sees and does, in the words of the screens, not their markup. */
import type { Locator, Page } from 'playwright-core';
import type { Say } from '../messages.js';

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A message as a pattern: its {placeholders} match any text (numbers are written the locale's way). */
function sayPattern(say: Say, key: string, placeholders: string[], whole = false): RegExp {
  const hole = '\u0001';
  const text = escapeRegExp(say(key, Object.fromEntries(placeholders.map((p) => [p, hole]))));
  const body = text.split(hole).join('.+?');
  return new RegExp(whole ? `^${body}$` : body);
}

export class LoginScreen {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto('/');
    await this.page.getByRole('heading', { name: 'Sign in' }).waitFor();
  }

  async signIn(login: string, password: string): Promise<void> {
    await this.page.getByLabel('Login').fill(login);
    await this.page.getByLabel('Password').fill(password);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  error(): Locator {
    return this.page.getByRole('alert');
  }
}

export class Shell {
  constructor(private readonly page: Page) {}

  nav(): Locator {
    return this.page.getByRole('navigation', { name: 'Main' });
  }

  async navLabels(): Promise<string[]> {
    return (await this.nav().getByRole('link').allTextContents()).map((s) => s.trim());
  }

  async go(label: string): Promise<void> {
    const toggle = this.page.getByRole('button', { name: 'Menu' });
    if (await toggle.isVisible()) await toggle.click();
    await this.nav().getByRole('link', { name: label, exact: true }).click();
  }

  heading(): Locator {
    return this.page.getByRole('heading', { level: 1 });
  }

  async signOut(): Promise<void> {
    await this.page.getByRole('button', { name: 'Sign out' }).click();
  }
}

export class MbaScreen {
  constructor(private readonly page: Page) {}

  /** Typing the address by hand, as a curious user would. */
  async openByUrl(code: string): Promise<void> {
    await this.page.goto(`/mbas/${encodeURIComponent(code)}`);
  }

  kmpTable(): Locator {
    return this.page.getByRole('table', { name: /Key measurement points/ });
  }

  problem(): Locator {
    return this.page.getByRole('alert');
  }
}

export class OverviewScreen {
  constructor(private readonly page: Page) {}

  map(): Locator {
    return this.page.getByRole('figure').locator('svg');
  }

  facilityMarkers(): Locator {
    return this.map().getByRole('link');
  }

  statesTable(): Locator {
    return this.page.getByRole('table', { name: 'States in scope' });
  }
}

export class LogExplorerScreen {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto('/log');
    await this.page.getByRole('heading', { name: 'Log explorer', level: 1 }).waitFor();
  }

  section(name: string): Locator {
    return this.page.getByRole('region', { name });
  }

  /** The verdict of a section (a status message: verified or not, in words). */
  verdict(section: string): Locator {
    return this.section(section).getByRole('status').filter({ hasNotText: 'Loading' });
  }

  async enterKey(vkey: string): Promise<void> {
    await this.page.getByLabel('Verifier key used for every check below').fill(vkey);
  }

  async verifyEntry(index: number): Promise<void> {
    await this.page.getByLabel(/Entry index/).fill(String(index));
    await this.page.getByRole('button', { name: 'Verify inclusion' }).click();
  }

  async checkConsistency(from: number, to: number): Promise<void> {
    await this.page.getByLabel('Older checkpoint (size)').selectOption(String(from));
    await this.page.getByLabel('Newer checkpoint (size)').selectOption(String(to));
    await this.page.getByRole('button', { name: 'Check consistency' }).click();
  }
}

export class SubmitReportScreen {
  constructor(private readonly page: Page) {}

  async open(): Promise<void> {
    await this.page.goto('/reports/new');
    await this.page.getByRole('heading', { name: 'Submit a report', level: 1 }).waitFor();
  }

  async chooseReport(name: string, content: string): Promise<void> {
    await this.page.getByLabel('Drop a report file here, or choose one').setInputFiles({
      name,
      mimeType: name.endsWith('.csv') ? 'text/csv' : 'application/json',
      buffer: Buffer.from(content),
    });
    await this.editor().waitFor();
  }

  async loadKeyFile(path: string): Promise<void> {
    await this.page.getByLabel('Key file (base64 Ed25519 seed)').setInputFiles(path);
    await this.page.getByText(/Key [0-9a-f]{16} loaded/).waitFor();
  }

  editor(): Locator {
    return this.page.getByLabel(/Report content/);
  }

  async submit(): Promise<void> {
    await this.page.getByRole('button', { name: /Sign and (re)?submit/ }).click();
  }

  problems(): Locator {
    return this.page.getByRole('table', { name: 'Validation problems' });
  }

  /** Each problem row as [line, field, code]. */
  async problemRows(): Promise<string[][]> {
    const rows = this.problems().getByRole('row');
    const out: string[][] = [];
    for (let i = 1; i < (await rows.count()); i++) {
      const cells = await rows.nth(i).getByRole('cell').allTextContents();
      out.push(cells.slice(0, 3).map((c) => c.trim()));
    }
    return out;
  }

  receiptVerdict(): Locator {
    return this.page.getByRole('status').filter({ hasText: /receipt/i });
  }
}

export class AlarmsScreen {
  constructor(private readonly page: Page) {}

  table(): Locator {
    return this.page.getByRole('table', { name: /^Alarms/ });
  }

  /** The alarms as a server-paged table: sort buttons, the filter box (sent as q), pages. */
  list(): RegistryTable {
    return new RegistryTable(this.page, 'Alarms', 'Filter these alarms');
  }

  async openEvaluationOf(mba: string): Promise<void> {
    await this.table().getByRole('link', { name: mba, exact: true }).first().click();
  }
}

export class TransfersScreen {
  constructor(private readonly page: Page) {}

  /** The transfers as a server-paged table: sort buttons, the filter box (sent as q), pages. */
  list(): RegistryTable {
    return new RegistryTable(this.page, 'Transfers', 'Filter these transfers');
  }

  /** The server's count of transfers per status, as the stat row shows them. */
  byStatus(): Locator {
    return this.page.getByRole('list', { name: 'Transfers by status' });
  }
}

export class EvaluationScreen {
  constructor(private readonly page: Page) {}

  charts(): Locator {
    return this.page.getByTestId('balance-charts');
  }

  alarms(): Locator {
    return this.page.getByRole('list', { name: 'Alarms of this element' });
  }

  balanceTable(): Locator {
    return this.page.getByRole('table', { name: /^Material balance of/ });
  }

  /**
   * Goes to the case of the first alarm: one case per cause (issue 16), so an alarm whose cause
   * already has a case (the evaluation opens them) links to it, and only one without offers to
   * open one. Waits on whichever the page shows, never on time.
   */
  async caseForFirstAlarm(title: string, note: string): Promise<void> {
    const first = this.alarms().getByRole('listitem').first();
    const link = first.getByRole('link', { name: /^Case: / });
    const button = first.getByRole('button', { name: /Open a case/ });
    await link.or(button).first().waitFor();
    if ((await link.count()) > 0) {
      await link.click();
      return;
    }
    await button.click();
    try {
      await this.page.getByLabel('Title').fill(title, { timeout: 10_000 });
      await this.page.getByLabel(/Internal note/).fill(note, { timeout: 10_000 });
      await this.page.getByRole('button', { name: 'Open the case' }).click({ timeout: 10_000 });
    } catch (e) {
      // The evaluation opened the cause's case while the form was being filled: the list reloads
      // live and the link to that case replaces the form (the CI failure of stop 22).
      if ((await link.count()) === 0) throw e;
      await link.click();
    }
  }
}

export class CaseScreen {
  constructor(private readonly page: Page) {}

  status(): Locator {
    return this.page.getByTestId('case-status');
  }

  thread(): Locator {
    return this.page.getByRole('list', { name: 'Case thread' });
  }

  async sendQuestion(text: string, due: string): Promise<void> {
    await this.page.getByLabel('New status').selectOption('question-sent');
    await this.page.getByLabel(/Question to the state/).fill(text);
    await this.page.getByLabel('Answer due date').fill(due);
    await this.page.getByRole('button', { name: 'Send the question' }).click();
  }

  /** Answers; `linkNewestReport` links the state's newest report of the MBA as the correction. */
  async answer(
    text: string,
    file?: { name: string; mimeType: string; buffer: Buffer },
    linkNewestReport = false,
  ): Promise<string | undefined> {
    await this.page.getByLabel('Your answer', { exact: true }).fill(text);
    if (file) await this.page.getByLabel('Files for your answer (optional)').setInputFiles(file);
    let linked: string | undefined;
    if (linkNewestReport) {
      const select = this.page.getByLabel('Correction report (optional)');
      await select.locator('option').nth(1).waitFor({ state: 'attached' });
      linked = (await select.locator('option').nth(1).getAttribute('value')) ?? undefined;
      if (linked) await select.selectOption(linked);
    }
    await this.page.getByRole('button', { name: 'Send the answer' }).click();
    return linked;
  }

  /** Resolves the case, signing the decision in the browser with the inspectorate's key file. */
  async resolve(reason: string, keyFile: string): Promise<void> {
    await this.page.getByLabel('New status').selectOption('resolved');
    await this.page.getByLabel(/Decision and reason/).fill(reason);
    await this.page.getByLabel(/^Key file of/).setInputFiles(keyFile);
    await this.page.getByTestId('decision-key').waitFor();
    await this.page.getByRole('button', { name: 'Sign and mark as resolved' }).click();
  }

  signatureStatus(): Locator {
    return this.page.getByTestId('decision-signature');
  }

  decision(): Locator {
    return this.page.getByRole('region', { name: 'Decision' });
  }
}

/** Inspections: planning (notice rule), activities, verification results, statements. */
export class InspectionScreen {
  constructor(private readonly page: Page) {}

  private static input(ms: number): string {
    return new Date(ms).toISOString().slice(0, 16);
  }

  async plan(p: {
    facility: string;
    mbas: string;
    partner: string;
    startsAt: number;
    noticeAt: number;
  }): Promise<void> {
    const form = this.page.getByRole('form', { name: 'Plan an inspection' });
    await form.getByLabel('Type').selectOption('routine');
    await form.getByLabel('Facility').selectOption(p.facility);
    await form.getByLabel(/^MBAs/).fill(p.mbas);
    await form.getByLabel(/^Joint with/).selectOption(p.partner);
    await form.getByLabel('Starts (UTC)').fill(InspectionScreen.input(p.startsAt));
    await form.getByLabel(/^Notice given/).fill(InspectionScreen.input(p.noticeAt));
    await form.getByRole('button', { name: 'Plan the inspection' }).click();
  }

  noticeRefusal(): Locator {
    return this.page.getByTestId('notice-refusal');
  }

  effortCap(): Locator {
    return this.page.getByTestId('effort-cap');
  }

  async assign(rows: { activity: string; inspectorate: string }[]): Promise<void> {
    const form = this.page.getByRole('form', { name: 'Assign activities' });
    for (const [i, r] of rows.entries()) {
      if (i > 0) await form.getByRole('button', { name: 'Add an activity' }).click();
      await form.getByLabel(`Activity ${i + 1}`, { exact: true }).fill(r.activity);
      await form.getByLabel(`Inspectorate for activity ${i + 1}`).selectOption(r.inspectorate);
    }
    await form.getByRole('button', { name: 'Save the activities' }).click();
    await form.getByText('Activities saved.').waitFor();
  }

  async record(r: { stratum: string; activity: string; mba: string; population: number; items: string }) {
    const form = this.page.getByRole('form', { name: 'Record verification results' });
    await form.getByLabel('Stratum name').fill(r.stratum);
    await form.getByLabel('Activity').selectOption(r.activity);
    await form.getByLabel('MBA').selectOption(r.mba);
    await form.getByLabel('Items in the stratum').fill(String(r.population));
    await form.getByLabel(/^Items: one per line/).fill(r.items);
    await form.getByRole('button', { name: 'Record the results' }).click();
  }

  stratumResult(): Locator {
    return this.page.getByTestId('stratum-result');
  }

  findings(): Locator {
    return this.page.getByRole('region', { name: 'Findings' });
  }

  statements(): Locator {
    return this.page.getByRole('region', { name: 'Statements' });
  }

  /** The browser's own verdict on each signed statement (verified, or why not). */
  statementVerdicts(): Locator {
    return this.statements().getByRole('status');
  }

  async signStatement(conclusion: string, keyFile: string): Promise<void> {
    const form = this.page.getByRole('form', { name: 'Sign a statement' });
    await form.getByLabel('Conclusion').fill(conclusion);
    await form.getByLabel(/^Key file of your inspectorate/).setInputFiles(keyFile);
    await form.getByRole('button', { name: 'Sign and submit the statement' }).click();
  }
}

/** A table paged, sorted and filtered by the server (the registry lists). */
export class RegistryTable {
  constructor(
    private readonly page: Page,
    private readonly name: string,
    private readonly filterLabel?: string,
  ) {}

  table(): Locator {
    return this.page.getByRole('table', { name: new RegExp(`^${this.name}(, page \\d+ of \\d+)?$`) });
  }

  async caption(): Promise<string> {
    return ((await this.table().locator('caption').textContent()) ?? '').trim();
  }

  bodyRows(): Locator {
    return this.table().locator('tbody tr');
  }

  async firstCell(): Promise<string> {
    return ((await this.bodyRows().first().locator('td').first().textContent()) ?? '').trim();
  }

  /** The server's count of matching rows, as the table announces it. */
  async count(): Promise<string> {
    return (
      (await this.page
        .getByLabel(this.filterLabel ?? '')
        .locator('xpath=following-sibling::span')
        .textContent()) ?? ''
    ).trim();
  }

  async sortBy(header: string): Promise<void> {
    await this.table()
      .getByRole('button', { name: new RegExp(`^${header}`) })
      .click();
  }

  async sortState(header: string): Promise<string | null> {
    return this.table()
      .getByRole('columnheader', { name: new RegExp(`^${header}`) })
      .getAttribute('aria-sort');
  }

  async filter(text: string): Promise<void> {
    await this.page.getByLabel(this.filterLabel ?? '').fill(text);
  }

  async nextPage(): Promise<void> {
    await this.page
      .getByRole('navigation', { name: `Pages of ${this.name}` })
      .getByRole('button', { name: 'Next page' })
      .click();
  }
}

/** The legal framework's hub and register (issue 19 item 6). */
export class LegalScreen {
  constructor(private readonly page: Page) {}

  async openRegister(): Promise<void> {
    await this.page.getByRole('link', { name: 'Legal register' }).click();
    await this.page.getByRole('heading', { level: 1, name: 'Legal register' }).waitFor();
  }

  /** Opens an instrument's provisions; answers the provisions table. */
  async showProvisions(instrument: string): Promise<Locator> {
    const section = this.page.getByRole('region', { name: instrument });
    await section.getByRole('button', { name: 'Show provisions' }).click();
    const table = section.getByRole('table');
    await table.waitFor();
    return table;
  }
}

/** A state's domestic-law compatibility: the matrix, one provision's entry and its signed review. */
export class CompatibilityScreen {
  constructor(private readonly page: Page) {}

  /** From the top bar: Legal → Domestic-law compatibility (a state user lands on its own matrix). */
  async openOwnMatrix(): Promise<void> {
    await this.page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Legal', exact: true })
      .click();
    await this.page.getByRole('link', { name: 'Domestic-law compatibility' }).click();
    await this.page.getByRole('heading', { level: 1, name: /^Domestic-law compatibility of / }).waitFor();
  }

  /** Opens the first provision of the full list; answers its citation. */
  async openFirstProvision(): Promise<string> {
    const link = this.page
      .getByRole('table', { name: 'Every provision binding the state, with its status' })
      .getByRole('link')
      .first();
    const ref = ((await link.textContent()) ?? '').trim();
    await link.click();
    await this.page.getByRole('heading', { level: 1, name: `${ref} in the law of XA` }).waitFor();
    return ref;
  }

  async signReviewStep(step: { found: string; note: string; keyFile: string }): Promise<void> {
    const form = this.page.getByRole('form', { name: 'Next step of the review' });
    await form.getByLabel('Step', { exact: true }).selectOption({ label: 'Review of existing law' });
    await form.getByLabel('Status found').selectOption({ label: step.found });
    await form.getByLabel('Note').fill(step.note);
    await form.getByLabel('Your state authority’s signing key file').setInputFiles(step.keyFile);
    // Playwright's click waits until the button is enabled, i.e. until the key file is read.
    await form.getByRole('button', { name: 'Sign and send' }).click();
  }

  /** The review's signed steps, one line each. */
  stepLines(): Locator {
    return this.page.getByRole('region', { name: 'Review steps' }).getByRole('listitem');
  }

  currentStatus(label: string): Locator {
    return this.page.getByRole('region', { name: 'Current entry' }).getByText(label, { exact: true });
  }
}

/** The AP declaration editor: header, items per article, upload, signing, problems. */
export class DeclarationEditorScreen {
  /** `say` is the language the story's session speaks (messagesOf): the editor is found by its words. */
  constructor(
    private readonly page: Page,
    private readonly say: Say,
  ) {}

  /** From the top bar: Legal → the state's declarations → New declaration. */
  async open(): Promise<void> {
    const { page, say } = this;
    await page
      .getByRole('navigation', { name: say('app.mainNav') })
      .getByRole('link', { name: say('nav.legal'), exact: true })
      .click();
    await page.getByRole('link', { name: say('legal.declarations') }).click();
    await page.getByRole('link', { name: say('decl.new') }).click();
    await page.getByRole('heading', { level: 1, name: say('decl.editor') }).waitFor();
  }

  async header(article: string, from: string, to: string): Promise<void> {
    await this.page.getByLabel(this.say('decl.article'), { exact: true }).selectOption(article);
    await this.page.getByLabel(this.say('decl.from')).fill(from);
    await this.page.getByLabel(this.say('decl.to')).fill(to);
  }

  async addItem(fields: Record<string, string>): Promise<void> {
    await this.page.getByRole('button', { name: this.say('decl.addItem') }).click();
    for (const [name, value] of Object.entries(fields)) {
      const field = this.lastItemField(name);
      if ((await field.evaluate((e) => e.tagName)) === 'SELECT') await field.selectOption(value);
      else await field.fill(value);
    }
  }

  /** What the last item's fields hold, found by their labels. */
  async lastItemValues(names: readonly string[]): Promise<Record<string, string>> {
    const values: Record<string, string> = {};
    for (const name of names) values[name] = await this.lastItemField(name).inputValue();
    return values;
  }

  private lastItemField(name: string): Locator {
    const item = this.page
      .getByRole('group', { name: sayPattern(this.say, 'decl.item', ['n'], true) })
      .last();
    // The form labels each field by its name in the user's language, "(optional)" after some.
    const label = escapeRegExp(this.say(`decl.field.${name}`));
    return item.getByLabel(new RegExp(`^${label}( ${escapeRegExp(this.say('decl.optional'))})?$`));
  }

  async loadKeyFile(path: string): Promise<void> {
    await this.page.getByLabel(this.say('sign.keyFile')).setInputFiles(path);
    await this.page.getByText(sayPattern(this.say, 'sign.keyLoaded', ['keyId'])).waitFor();
  }

  async signAndSubmit(): Promise<void> {
    await this.submitButton().click();
  }

  submitButton(): Locator {
    return this.page.getByRole('button', { name: this.say('decl.signSubmit') });
  }

  /** Chooses the CLI and downloads the exact bytes to sign into `dir`; answers the file's path. */
  async downloadToSign(dir: string): Promise<string> {
    await this.page.getByLabel(this.say('decl.sig.cli')).check();
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('link', { name: sayPattern(this.say, 'decl.sig.download', ['bytes']) }).click(),
    ]);
    const path = `${dir}/${download.suggestedFilename()}`;
    await download.saveAs(path);
    return path;
  }

  async pasteSignature(signature: string): Promise<void> {
    await this.page.getByLabel(this.say('sign.cliLabel')).fill(signature);
  }

  /** What the editor says of the pasted signature. */
  signatureStatus(): Locator {
    return this.page.locator('#decl-cli-status');
  }

  problems(): Locator {
    return this.page.getByRole('alert').getByRole('listitem');
  }

  accepted(): Locator {
    return this.page
      .getByRole('status')
      .filter({ hasText: sayPattern(this.say, 'decl.accepted', ['id', 'index']) });
  }
}

/** The Network page's split views (decision 0043): evidence, and the administrator's decision. */
export class NetworkScreen {
  constructor(private readonly page: Page) {}

  splitViews(): Locator {
    return this.page.getByRole('table', { name: /Split views of the logs/ });
  }

  splitView(origin: string): Locator {
    return this.splitViews().getByRole('row', {
      name: new RegExp(origin.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
    });
  }

  peer(name: string): Locator {
    return this.page.getByRole('table', { name: /Peer nodes/ }).getByRole('row', { name: new RegExp(name) });
  }

  /** Resume forwarding with, or revoke the peer of, a split log: the page asks first; accepted. */
  async decide(origin: string, action: 'resume' | 'revoke'): Promise<void> {
    this.page.once('dialog', (d) => void d.accept());
    const name =
      action === 'resume' ? `Resume forwarding with ${origin}` : `Revoke the peer whose log is ${origin}`;
    await this.splitView(origin).getByRole('button', { name }).click();
  }
}
