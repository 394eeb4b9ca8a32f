import {
  Caption1,
  FluentProvider,
  Tab,
  TabList,
  Text,
  makeStyles,
  tokens,
  webDarkTheme,
  webLightTheme,
} from '@fluentui/react-components';
import {
  ArrowSyncCircle24Filled,
  AlertUrgent20Regular,
  PlayCircle20Regular,
  ArrowSwap20Regular,
  DataTrending20Regular,
  ErrorCircle20Regular,
  History20Regular,
  ServerMultiple20Regular,
  Wand20Regular,
} from '@fluentui/react-icons';
import { AlertListener } from './components/AlertListener';
import { NotifyProvider } from './components/notify';
import { useRoute, type Page } from './lib/route';
import { useSystemDark } from './lib/useSystemDark';
import { ActivityPage } from './pages/ActivityPage';
import { DashboardPage } from './pages/DashboardPage';
import { DemoPage } from './pages/DemoPage';
import { AlertsPage } from './pages/AlertsPage';
import { EnvironmentsPage } from './pages/EnvironmentsPage';
import { ErrorsPage } from './pages/ErrorsPage';
import { MapsPage } from './pages/MapsPage';
import { SetupPage } from './pages/SetupPage';

const useStyles = makeStyles({
  shell: {
    display: 'grid',
    gridTemplateRows: 'auto 1fr',
    gridTemplateColumns: 'auto 1fr',
    gridTemplateAreas: '"header header" "nav main"',
    height: '100vh',
    backgroundColor: tokens.colorNeutralBackground2,
    color: tokens.colorNeutralForeground1,
  },
  header: {
    gridArea: 'header',
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalM,
    paddingBlock: tokens.spacingVerticalM,
    paddingInline: tokens.spacingHorizontalXL,
    backgroundColor: tokens.colorNeutralBackground1,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
  },
  logo: { color: tokens.colorBrandForeground1, display: 'flex' },
  brand: { display: 'flex', flexDirection: 'column' },
  title: { margin: 0, fontSize: tokens.fontSizeBase500, fontWeight: tokens.fontWeightSemibold, lineHeight: tokens.lineHeightBase500 },
  subtitle: { color: tokens.colorNeutralForeground3 },
  nav: {
    gridArea: 'nav',
    paddingBlock: tokens.spacingVerticalL,
    paddingInline: tokens.spacingHorizontalS,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRight: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    minWidth: '200px',
  },
  main: {
    gridArea: 'main',
    overflow: 'auto',
    paddingBlock: tokens.spacingVerticalXXL,
    paddingInline: tokens.spacingHorizontalXXXL,
    minWidth: 0,
  },
});

const NAV: { page: Page; label: string; icon: React.JSX.Element }[] = [
  { page: 'setup', label: 'Setup', icon: <Wand20Regular /> },
  { page: 'environments', label: 'Environments', icon: <ServerMultiple20Regular /> },
  { page: 'maps', label: 'Maps', icon: <ArrowSwap20Regular /> },
  { page: 'dashboard', label: 'Dashboard', icon: <DataTrending20Regular /> },
  { page: 'activity', label: 'Activity', icon: <History20Regular /> },
  { page: 'errors', label: 'Errors', icon: <ErrorCircle20Regular /> },
  { page: 'alerts', label: 'Alerts', icon: <AlertUrgent20Regular /> },
  { page: 'demo', label: 'Demo', icon: <PlayCircle20Regular /> },
];

export function App() {
  const dark = useSystemDark();
  const styles = useStyles();
  const [page, navigate] = useRoute();
  return (
    <FluentProvider theme={dark ? webDarkTheme : webLightTheme}>
      <NotifyProvider>
        <AlertListener />
        <div className={styles.shell}>
          <header className={styles.header} data-testid="app-header">
            <span className={styles.logo}>
              <ArrowSyncCircle24Filled />
            </span>
            <div className={styles.brand}>
              <Text as="h1" className={styles.title} block>
                Duet
              </Text>
              <Caption1 className={styles.subtitle}>Dynamics 365 finance and operations ↔ Dataverse sync</Caption1>
            </div>
          </header>
          <nav className={styles.nav} aria-label="Sections">
            <TabList
              vertical
              size="large"
              selectedValue={page}
              onTabSelect={(_, data) => navigate(data.value as Page)}
            >
              {NAV.map((item) => (
                <Tab key={item.page} value={item.page} icon={item.icon} data-testid={`nav-${item.page}`}>
                  {item.label}
                </Tab>
              ))}
            </TabList>
          </nav>
          <main className={styles.main}>
            {page === 'setup' ? <SetupPage /> : null}
            {page === 'environments' ? <EnvironmentsPage /> : null}
            {page === 'maps' ? <MapsPage /> : null}
            {page === 'dashboard' ? <DashboardPage /> : null}
            {page === 'activity' ? <ActivityPage /> : null}
            {page === 'errors' ? <ErrorsPage /> : null}
            {page === 'alerts' ? <AlertsPage /> : null}
            {page === 'demo' ? <DemoPage /> : null}
          </main>
        </div>
      </NotifyProvider>
    </FluentProvider>
  );
}
