import { type ComponentType, lazy, type ReactNode, Suspense, useEffect, useState } from 'react';
import type { Me } from './api.js';
import { api } from './api.js';
import { CapabilitiesProvider, useCapabilities } from './capabilities.js';
import { Loading } from './components/async.js';
import { Page } from './components/Page.js';
import { type MessageKey, Msg, type Translate, useLocale, useT } from './i18n/I18nProvider.js';
import { LanguageChooser } from './i18n/LanguageChooser.js';
import { LiveProvider, useLive } from './live.js';
import { AgreementsPage, InspectorateOverview, StateHome, StatePage } from './pages/Home.js';
import { InboxPage } from './pages/Inbox.js';
import { LoginPage } from './pages/Login.js';
import { AlarmsPage, TransfersPage } from './pages/Monitoring.js';
import { FacilitiesPage, FacilityPage, MbaPage, MbasPage } from './pages/Registry.js';
import { Link, matchPath, useRouter } from './router.js';
import { type Audience, audienceOf, useSession } from './session.js';

// The log explorer carries the verification code (Ed25519, SHA-256): loaded when first opened.
const LogExplorer = lazy(() => import('./pages/LogExplorer.js'));
const SubmitReport = lazy(() => import('./pages/SubmitReport.js'));
const PracticePage = lazy(() => import('./pages/Practice.js'));
const ReportsPage = lazy(() => import('./pages/Reports.js'));
// Charts (ECharts) and the case workflow load when first opened.
const MbaEvaluationPage = lazy(() => import('./pages/Evaluation.js'));
const BalanceChartBench = lazy(() =>
  import('./pages/Evaluation.js').then((m) => ({ default: m.BalanceChartBench })),
);
const CasesPage = lazy(() => import('./pages/Cases.js'));
const CaseDetailPage = lazy(() => import('./pages/Cases.js').then((m) => ({ default: m.CaseDetailPage })));
const InspectionsPage = lazy(() => import('./pages/Inspections.js'));
const DevicesPage = lazy(() => import('./pages/Devices.js'));
const DevicePage = lazy(() => import('./pages/Devices.js').then((m) => ({ default: m.DevicePage })));
// Domestic-law compatibility (issue 19 item 2): the matrix, one entry's workflow, the harmonization view.
const CompatibilityHome = lazy(() => import('./pages/compatibility/Matrix.js'));
const CompatibilityMatrixPage = lazy(() =>
  import('./pages/compatibility/Matrix.js').then((m) => ({ default: m.CompatibilityMatrixPage })),
);
const CompatibilityEntryPage = lazy(() =>
  import('./pages/compatibility/Entry.js').then((m) => ({ default: m.CompatibilityEntryPage })),
);
const HarmonizationPage = lazy(() =>
  import('./pages/compatibility/Harmonization.js').then((m) => ({ default: m.HarmonizationPage })),
);
// Federation (issue 17 item 7): the node's network, a state's sharing ledger, a record's provenance.
const NetworkPage = lazy(() => import('./pages/Network.js'));
const SharingPage = lazy(() => import('./pages/Sharing.js'));
const ProvenancePage = lazy(() => import('./pages/Provenance.js'));
// The legal framework's hub (issue 19 item 6): the register, roles and AP declarations.
const LegalHub = lazy(() => import('./pages/legal/Register.js'));
const RegisterPage = lazy(() =>
  import('./pages/legal/Register.js').then((m) => ({ default: m.RegisterPage })),
);
const RolesPage = lazy(() => import('./pages/legal/Register.js').then((m) => ({ default: m.RolesPage })));
const StatePicker = lazy(() => import('./pages/legal/Register.js').then((m) => ({ default: m.StatePicker })));
const DeclarationsPage = lazy(() =>
  import('./pages/legal/Declarations.js').then((m) => ({ default: m.DeclarationsPage })),
);
const DeclarationPage = lazy(() =>
  import('./pages/legal/Declarations.js').then((m) => ({ default: m.DeclarationPage })),
);
const DeclarationEditor = lazy(() =>
  import('./pages/legal/Declarations.js').then((m) => ({ default: m.DeclarationEditor })),
);
const InspectionPage = lazy(() =>
  import('./pages/Inspections.js').then((m) => ({ default: m.InspectionPage })),
);

function suspended<P extends object>(C: ComponentType<P>, props: P, what: string) {
  return (
    <Suspense fallback={<Loading what={what} />}>
      <C {...props} />
    </Suspense>
  );
}

interface NavItem {
  readonly to: string;
  readonly label: MessageKey;
  /** The API operation the screen needs (capabilityKey form); hidden when the server lacks it. */
  readonly requires?: string;
  /** A role the screen needs, when not every user of the audience has it. */
  readonly role?: Me['roles'][number];
  /** Only for the node's own administrators (no organisation): peers and arrangements are theirs. */
  readonly nodeAdmin?: true;
}

const COMPATIBILITY = 'get /api/states/{code}/compatibility';

/** Navigation by audience: a state authority's portal and an inspectorate's console differ. */
export function navFor(audience: Audience): NavItem[] {
  if (audience === 'auditor') {
    return [
      { to: '/', label: 'nav.logExplorer' },
      { to: '/agreements', label: 'nav.agreements' },
    ];
  }
  if (audience === 'state') {
    return [
      { to: '/', label: 'nav.home' },
      { to: '/reports/new', label: 'nav.submitReport', requires: 'post /api/reports', role: 'submitter' },
      {
        to: '/reports/practice',
        label: 'nav.practice',
        requires: 'post /api/reports/practice',
        role: 'submitter',
      },
      { to: '/reports', label: 'nav.reports', requires: 'get /api/reports' },
      { to: '/cases', label: 'nav.cases', requires: 'get /api/cases' },
      { to: '/legal', label: 'nav.legal', requires: COMPATIBILITY },
      { to: '/mbas', label: 'nav.mbas' },
      { to: '/transfers', label: 'nav.transfers', requires: 'get /api/transfers' },
      { to: '/facilities', label: 'nav.facilities' },
      { to: '/devices', label: 'nav.deviceHealth', requires: 'get /api/devices' },
      { to: '/sharing', label: 'nav.sharing', requires: 'get /api/states/{code}/sharing' },
      { to: '/log', label: 'nav.log' },
    ];
  }
  return [
    { to: '/', label: 'nav.overview' },
    { to: '/alarms', label: 'nav.alarms', requires: 'get /api/alarms' },
    { to: '/cases', label: 'nav.cases', requires: 'get /api/cases' },
    { to: '/transfers', label: 'nav.transfers', requires: 'get /api/transfers' },
    { to: '/inspections', label: 'nav.inspections', requires: 'get /api/inspections' },
    { to: '/devices', label: 'nav.monitoring', requires: 'get /api/devices' },
    { to: '/legal', label: 'nav.legal', requires: COMPATIBILITY },
    { to: '/mbas', label: 'nav.mbas' },
    { to: '/facilities', label: 'nav.facilities' },
    { to: '/reports', label: 'nav.reports', requires: 'get /api/reports' },
    { to: '/network', label: 'nav.network', requires: 'get /api/peers', nodeAdmin: true },
    { to: '/log', label: 'nav.log' },
  ];
}

function lazyLog(t: Translate) {
  return (
    <Suspense fallback={<Loading what={t('common.what.logExplorer')} />}>
      <LogExplorer />
    </Suspense>
  );
}

interface RouteDef {
  readonly path: string;
  readonly render: (params: Record<string, string>, audience: Audience, t: Translate) => ReactNode;
}

const ROUTES: RouteDef[] = [
  {
    path: '/',
    render: (_p, a, t) =>
      a === 'state' ? <StateHome /> : a === 'inspectorate' ? <InspectorateOverview /> : lazyLog(t),
  },
  { path: '/agreements', render: () => <AgreementsPage /> },
  { path: '/mbas', render: () => <MbasPage /> },
  { path: '/mbas/:code', render: (p) => <MbaPage code={p.code!} /> },
  {
    path: '/mbas/:code/evaluation',
    render: (p, _a, t) => suspended(MbaEvaluationPage, { code: p.code! }, t('common.what.evaluation')),
  },
  { path: '/alarms', render: () => <AlarmsPage /> },
  { path: '/transfers', render: () => <TransfersPage /> },
  { path: '/inbox', render: () => <InboxPage /> },
  { path: '/cases', render: (_p, _a, t) => suspended(CasesPage, {}, t('common.what.cases')) },
  {
    path: '/cases/:id',
    render: (p, _a, t) => suspended(CaseDetailPage, { id: p.id! }, t('common.what.case')),
  },
  {
    path: '/inspections',
    render: (_p, _a, t) => suspended(InspectionsPage, {}, t('common.what.inspections')),
  },
  {
    path: '/inspections/:id',
    render: (p, _a, t) => suspended(InspectionPage, { id: p.id! }, t('common.what.inspection')),
  },
  {
    path: '/bench/balance-chart',
    render: (_p, _a, t) => suspended(BalanceChartBench, {}, t('common.what.chartBench')),
  },
  { path: '/facilities', render: () => <FacilitiesPage /> },
  { path: '/devices', render: (_p, _a, t) => suspended(DevicesPage, {}, t('devices.what')) },
  { path: '/devices/:id', render: (p, _a, t) => suspended(DevicePage, { id: p.id! }, t('devices.what')) },
  { path: '/facilities/:code', render: (p) => <FacilityPage code={p.code!} /> },
  { path: '/states/:code', render: (p) => <StatePage code={p.code!} /> },
  { path: '/legal', render: (_p, _a, t) => suspended(LegalHub, {}, t('common.what.legal')) },
  { path: '/legal/instruments', render: (_p, _a, t) => suspended(RegisterPage, {}, t('common.what.legal')) },
  {
    path: '/legal/declarations',
    render: (_p, _a, t) => suspended(StatePicker, { what: 'declarations' as const }, t('common.what.legal')),
  },
  {
    path: '/legal/institutions',
    render: (_p, _a, t) => suspended(StatePicker, { what: 'institutions' as const }, t('common.what.legal')),
  },
  {
    path: '/states/:code/institutions',
    render: (p, _a, t) => suspended(RolesPage, { state: p.code! }, t('common.what.legal')),
  },
  {
    path: '/states/:code/declarations',
    render: (p, _a, t) => suspended(DeclarationsPage, { state: p.code! }, t('common.what.legal')),
  },
  {
    path: '/declarations/new',
    render: (_p, _a, t) => suspended(DeclarationEditor, {}, t('common.what.legal')),
  },
  {
    path: '/declarations/:id',
    render: (p, _a, t) => suspended(DeclarationPage, { id: p.id! }, t('common.what.legal')),
  },
  {
    path: '/compatibility',
    render: (_p, _a, t) => suspended(CompatibilityHome, {}, t('common.what.compatibility')),
  },
  {
    path: '/states/:code/compatibility',
    render: (p, _a, t) =>
      suspended(CompatibilityMatrixPage, { state: p.code! }, t('common.what.compatibility')),
  },
  {
    path: '/states/:code/compatibility/:ref',
    render: (p, _a, t) =>
      suspended(CompatibilityEntryPage, { state: p.code!, refName: p.ref! }, t('common.what.compatibility')),
  },
  {
    path: '/compatibility/provisions/:ref',
    render: (p, _a, t) => suspended(HarmonizationPage, { refName: p.ref! }, t('common.what.compatibility')),
  },
  { path: '/log', render: (_p, _a, t) => lazyLog(t) },
  { path: '/network', render: (_p, _a, t) => suspended(NetworkPage, {}, t('common.what.network')) },
  { path: '/sharing', render: (_p, _a, t) => suspended(SharingPage, {}, t('sharing.what')) },
  {
    path: '/records/:id/provenance',
    render: (p, _a, t) => suspended(ProvenancePage, { id: p.id! }, t('prov.what')),
  },
  {
    path: '/reports',
    render: (_p, _a, t) => (
      <Suspense fallback={<Loading what={t('common.what.reports')} />}>
        <ReportsPage />
      </Suspense>
    ),
  },
  {
    path: '/reports/practice',
    render: (_p, _a, t) => suspended(PracticePage, {}, t('common.what.practice')),
  },
  {
    path: '/reports/new',
    render: (_p, _a, t) => (
      <Suspense fallback={<Loading what={t('common.what.reportForm')} />}>
        <SubmitReport />
      </Suspense>
    ),
  },
];

function NotFound() {
  const t = useT();
  return (
    <Page title={t('notFound.title')}>
      <p>
        <Msg id="notFound.body" values={{ home: (chunks) => <Link to="/">{chunks}</Link> }} />
      </p>
    </Page>
  );
}

/** The inbox, with the unread count kept current by the event stream. */
function InboxLink() {
  const caps = useCapabilities();
  const { unread, connected } = useLive();
  const t = useT();
  if (!caps.has('get /api/inbox')) return null;
  return (
    // No aria-label: the visible words ("Inbox 12") start the accessible name (WCAG 2.5.3).
    <Link to="/inbox" nav className="inbox-link">
      {t('app.inbox')}
      {unread > 0 && (
        <>
          {' '}
          <span className="count">{unread > 999 ? '999+' : unread}</span>
          <span className="visually-hidden"> {t('app.inboxUnread', { count: unread })}</span>
        </>
      )}
      <span
        className={`live-dot ${connected ? 'on' : ''}`}
        title={connected ? t('app.live') : t('app.notLive')}
        aria-hidden="true"
      />
    </Link>
  );
}

const AUDIENCE_NAMES: Record<Audience, MessageKey> = {
  state: 'app.audience.state',
  inspectorate: 'app.audience.inspectorate',
  auditor: 'app.audience.auditor',
};

function Shell() {
  const { me, signOut } = useSession();
  const { location, navigate } = useRouter();
  const [menuOpen, setMenuOpen] = useState(false);
  const caps = useCapabilities();
  const t = useT();
  if (!me) return null;
  const audience = audienceOf(me);
  const nav = navFor(audience).filter(
    (n) =>
      (n.requires === undefined || caps.has(n.requires)) &&
      (n.role === undefined || me.roles.includes(n.role)) &&
      (n.nodeAdmin === undefined || (me.organisation === null && me.roles.includes('admin'))),
  );
  let content: ReactNode = <NotFound />;
  for (const r of ROUTES) {
    const params = matchPath(r.path, location.pathname);
    if (params) {
      content = r.render(params, audience, t);
      break;
    }
  }
  return (
    <>
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          Custos
        </Link>
        <span className="audience">{t(AUDIENCE_NAMES[audience])}</span>
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          {t('app.menu')}
        </button>
        <nav id="main-nav" aria-label={t('app.mainNav')} className={menuOpen ? 'open' : undefined}>
          <ul>
            {nav.map((n) => (
              <li key={n.to}>
                <Link to={n.to} nav onClick={() => setMenuOpen(false)}>
                  {t(n.label)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="user">
          <LanguageChooser
            compact
            onChosen={(l) => {
              // The device remembers the choice already; the server keeps it for the user's other devices.
              api.setLocale(l).catch((e: unknown) => console.warn('language not saved for the user', e));
            }}
          />
          <InboxLink />
          <span className="user-name" title={me.roles.join(', ')}>
            {me.login}
          </span>
          <button
            type="button"
            // The login gives its place in the bar up to 1 500 px; the button still says who leaves.
            title={me.login}
            onClick={() => {
              void signOut().then(() => navigate('/', { replace: true }));
            }}
          >
            {t('app.signOut')}
          </button>
        </div>
      </header>
      <main id="main" key={location.pathname}>
        {content}
      </main>
    </>
  );
}

export function App() {
  const { me, checking } = useSession();
  const t = useT();
  const { setLocale } = useLocale();
  const chosen = me?.locale ?? null;
  // A signed-in user's saved language wins over the browser's and this device's.
  useEffect(() => {
    if (chosen !== null) setLocale(chosen);
  }, [chosen, setLocale]);
  if (checking) {
    return (
      <main id="main">
        <Loading what={t('common.what.session')} />
      </main>
    );
  }
  return me ? (
    <CapabilitiesProvider>
      <LiveProvider>
        <Shell />
      </LiveProvider>
    </CapabilitiesProvider>
  ) : (
    <LoginPage />
  );
}
