import { type ComponentType, lazy, type ReactNode, Suspense, useState } from 'react';
import type { Me } from './api.js';
import { CapabilitiesProvider, useCapabilities } from './capabilities.js';
import { Loading } from './components/async.js';
import { Page } from './components/Page.js';
import { LiveProvider, useLive } from './live.js';
import { AgreementsPage, InspectorateOverview, StateHome, StatePage } from './pages/Home.js';
import { LoginPage } from './pages/Login.js';
import { AlarmsPage, InboxPage, TransfersPage } from './pages/Monitoring.js';
import { FacilitiesPage, FacilityPage, MbaPage, MbasPage } from './pages/Registry.js';
import { Link, matchPath, useRouter } from './router.js';
import { type Audience, audienceOf, useSession } from './session.js';

// The log explorer carries the verification code (Ed25519, SHA-256): loaded when first opened.
const LogExplorer = lazy(() => import('./pages/LogExplorer.js'));
const SubmitReport = lazy(() => import('./pages/SubmitReport.js'));
const ReportsPage = lazy(() => import('./pages/Reports.js'));
// Charts (ECharts) and the case workflow load when first opened.
const MbaEvaluationPage = lazy(() => import('./pages/Evaluation.js'));
const BalanceChartBench = lazy(() =>
  import('./pages/Evaluation.js').then((m) => ({ default: m.BalanceChartBench })),
);
const CasesPage = lazy(() => import('./pages/Cases.js'));
const CaseDetailPage = lazy(() => import('./pages/Cases.js').then((m) => ({ default: m.CaseDetailPage })));
const InspectionsPage = lazy(() => import('./pages/Inspections.js'));
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
  readonly label: string;
  /** The API operation the screen needs (capabilityKey form); hidden when the server lacks it. */
  readonly requires?: string;
  /** A role the screen needs, when not every user of the audience has it. */
  readonly role?: Me['roles'][number];
}

/** Navigation by audience: a state authority's portal and an inspectorate's console differ. */
export function navFor(audience: Audience): NavItem[] {
  if (audience === 'auditor') {
    return [
      { to: '/', label: 'Log explorer' },
      { to: '/agreements', label: 'Agreements' },
    ];
  }
  if (audience === 'state') {
    return [
      { to: '/', label: 'Home' },
      { to: '/reports/new', label: 'Submit report', requires: 'post /api/reports', role: 'submitter' },
      { to: '/reports', label: 'Reports', requires: 'get /api/reports' },
      { to: '/cases', label: 'Cases', requires: 'get /api/cases' },
      { to: '/mbas', label: 'MBAs' },
      { to: '/transfers', label: 'Transfers', requires: 'get /api/transfers' },
      { to: '/facilities', label: 'Facilities' },
      { to: '/log', label: 'Log' },
    ];
  }
  return [
    { to: '/', label: 'Overview' },
    { to: '/alarms', label: 'Alarms', requires: 'get /api/alarms' },
    { to: '/cases', label: 'Cases', requires: 'get /api/cases' },
    { to: '/transfers', label: 'Transfers', requires: 'get /api/transfers' },
    { to: '/inspections', label: 'Inspections', requires: 'get /api/inspections' },
    { to: '/mbas', label: 'MBAs' },
    { to: '/facilities', label: 'Facilities' },
    { to: '/reports', label: 'Reports', requires: 'get /api/reports' },
    { to: '/log', label: 'Log' },
  ];
}

function lazyLog() {
  return (
    <Suspense fallback={<Loading what="the log explorer" />}>
      <LogExplorer />
    </Suspense>
  );
}

interface RouteDef {
  readonly path: string;
  readonly render: (params: Record<string, string>, audience: Audience) => ReactNode;
}

const ROUTES: RouteDef[] = [
  {
    path: '/',
    render: (_p, a) =>
      a === 'state' ? <StateHome /> : a === 'inspectorate' ? <InspectorateOverview /> : lazyLog(),
  },
  { path: '/agreements', render: () => <AgreementsPage /> },
  { path: '/mbas', render: () => <MbasPage /> },
  { path: '/mbas/:code', render: (p) => <MbaPage code={p.code!} /> },
  {
    path: '/mbas/:code/evaluation',
    render: (p) => suspended(MbaEvaluationPage, { code: p.code! }, 'the evaluation'),
  },
  { path: '/alarms', render: () => <AlarmsPage /> },
  { path: '/transfers', render: () => <TransfersPage /> },
  { path: '/inbox', render: () => <InboxPage /> },
  { path: '/cases', render: () => suspended(CasesPage, {}, 'cases') },
  { path: '/cases/:id', render: (p) => suspended(CaseDetailPage, { id: p.id! }, 'the case') },
  { path: '/inspections', render: () => suspended(InspectionsPage, {}, 'inspections') },
  { path: '/inspections/:id', render: (p) => suspended(InspectionPage, { id: p.id! }, 'the inspection') },
  { path: '/bench/balance-chart', render: () => suspended(BalanceChartBench, {}, 'the chart bench') },
  { path: '/facilities', render: () => <FacilitiesPage /> },
  { path: '/facilities/:code', render: (p) => <FacilityPage code={p.code!} /> },
  { path: '/states/:code', render: (p) => <StatePage code={p.code!} /> },
  { path: '/log', render: () => lazyLog() },
  {
    path: '/reports',
    render: () => (
      <Suspense fallback={<Loading what="reports" />}>
        <ReportsPage />
      </Suspense>
    ),
  },
  {
    path: '/reports/new',
    render: () => (
      <Suspense fallback={<Loading what="the report form" />}>
        <SubmitReport />
      </Suspense>
    ),
  },
];

function NotFound() {
  return (
    <Page title="Page not found">
      <p>
        There is no page at this address. Go to the <Link to="/">home page</Link> or use the navigation.
      </p>
    </Page>
  );
}

/** The inbox, with the unread count kept current by the event stream. */
function InboxLink() {
  const caps = useCapabilities();
  const { unread, connected } = useLive();
  if (!caps.has('get /api/inbox')) return null;
  return (
    <Link to="/inbox" nav className="inbox-link" aria-label={`Inbox, ${unread} unread`}>
      Inbox{unread > 0 && <span className="count">{unread > 999 ? '999+' : unread}</span>}
      <span
        className={`live-dot ${connected ? 'on' : ''}`}
        title={connected ? 'Live' : 'Not live'}
        aria-hidden="true"
      />
    </Link>
  );
}

const AUDIENCE_NAMES: Record<Audience, string> = {
  state: 'State portal',
  inspectorate: 'Inspectorate console',
  auditor: 'Audit',
};

function Shell() {
  const { me, signOut } = useSession();
  const { location, navigate } = useRouter();
  const [menuOpen, setMenuOpen] = useState(false);
  const caps = useCapabilities();
  if (!me) return null;
  const audience = audienceOf(me);
  const nav = navFor(audience).filter(
    (n) =>
      (n.requires === undefined || caps.has(n.requires)) &&
      (n.role === undefined || me.roles.includes(n.role)),
  );
  let content: ReactNode = <NotFound />;
  for (const r of ROUTES) {
    const params = matchPath(r.path, location.pathname);
    if (params) {
      content = r.render(params, audience);
      break;
    }
  }
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          Custos
        </Link>
        <span className="audience">{AUDIENCE_NAMES[audience]}</span>
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((o) => !o)}
        >
          Menu
        </button>
        <nav id="main-nav" aria-label="Main" className={menuOpen ? 'open' : undefined}>
          <ul>
            {nav.map((n) => (
              <li key={n.to}>
                <Link to={n.to} nav onClick={() => setMenuOpen(false)}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="user">
          <InboxLink />
          <span className="user-name" title={me.roles.join(', ')}>
            {me.login}
          </span>
          <button
            type="button"
            onClick={() => {
              void signOut().then(() => navigate('/', { replace: true }));
            }}
          >
            Sign out
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
  if (checking) {
    return (
      <main id="main">
        <Loading what="your session" />
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
