import { lazy, LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { I18nProvider } from './i18n';
import { installDebugHooks } from './dev/debug';
import { readyClassifier } from './hooks/use-active-pack';
import { lastIdentifiedPhoto } from './hooks/use-identify';
import { usePackStore } from './hooks/use-pack-store';
import { packCards } from './registry/pack-cards';
import { watchPacks } from './registry/pack-store';
import { HistoryEntryScreen } from './screens/HistoryEntryScreen';
import { HistoryScreen } from './screens/HistoryScreen';
import { IdentifyScreen } from './screens/IdentifyScreen';
import { ModelsScreen } from './screens/ModelsScreen';
import { NotFoundScreen } from './screens/NotFoundScreen';
import { StatusScreen } from './screens/StatusScreen';
import { registerServiceWorker, type ServiceWorkerHandle } from './sw-register';
import { startSync } from './sync';
import { Layout } from './ui/Layout';
import { PackUpdateBanner } from './ui/PackUpdateBanner';
import { UpdatePrompt } from './ui/UpdatePrompt';
import { useOnline } from './hooks/use-online';

// Operators only: the dashboard and its charting library load when /dashboard is opened.
const DashboardScreen = lazy(() =>
  import('./screens/DashboardScreen').then((m) => m.DashboardScreen),
);

function Shell() {
  const { path } = useLocation();
  const online = useOnline();
  const [updateWaiting, setUpdateWaiting] = useState(false);
  const [sw, setSw] = useState<ServiceWorkerHandle | null>(null);
  const packs = usePackStore();

  // Model packs: what is installed, and the registry's versions checked on start and whenever
  // the network comes back (new ones installed when automatic updates are on). The prediction
  // log syncs on start, when online, and after each prediction.
  useEffect(() => {
    const stopPacks = watchPacks();
    const stopSync = startSync();
    installDebugHooks({ classifier: readyClassifier, lastPhoto: lastIdentifiedPhoto });
    return () => {
      stopPacks();
      stopSync();
    };
  }, []);

  useEffect(() => {
    setSw(
      registerServiceWorker({
        onUpdateWaiting: () => setUpdateWaiting(true),
        onOfflineReady: () => {},
      }),
    );
  }, []);

  // Move focus to the new screen so keyboard and screen-reader users land on its content.
  useEffect(() => {
    document.getElementById('main')?.focus({ preventScroll: true });
  }, [path]);

  return (
    <Layout
      path={path}
      online={online}
      banner={
        <>
          {updateWaiting && sw && (
            <UpdatePrompt
              onReload={() => sw.applyUpdate()}
              onDismiss={() => setUpdateWaiting(false)}
            />
          )}
          {packs.updates.length > 0 && path !== '/models' && (
            <PackUpdateBanner
              updates={packs.updates.map((u) => ({
                ...u,
                display: packCards(packs).find((c) => c.name === u.name)?.display,
              }))}
            />
          )}
        </>
      }
    >
      <Router>
        <Route path="/" component={IdentifyScreen} />
        <Route path="/history" component={HistoryScreen} />
        <Route path="/history/:id" component={HistoryEntryScreen} />
        <Route path="/models" component={ModelsScreen} />
        <Route path="/status" component={StatusScreen} />
        <Route path="/dashboard" component={DashboardScreen} />
        <Route default component={NotFoundScreen} />
      </Router>
    </Layout>
  );
}

export function App() {
  return (
    <I18nProvider>
      <LocationProvider>
        <Shell />
      </LocationProvider>
    </I18nProvider>
  );
}
