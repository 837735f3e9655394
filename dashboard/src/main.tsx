// The dashboard's entry: data cache (@tanstack/react-query), routes (wouter, under /dashboard) and the live
// stream, opened once for the whole page.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Link, Route, Router, Switch } from 'wouter';
import { connectLive, useLive } from './live';
import { NodesPage } from './NodesPage';
import { NodePage } from './NodePage';
import { EnrolPage } from './EnrolPage';
import './style.css';

const client = new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false, staleTime: 5_000 } } });

function Shell() {
  const live = useLive();
  return (
    <>
      <header className="top">
        <Link href="/" className="brand">Anvil</Link>
        <nav aria-label="Main"><Link href="/">Nodes</Link><Link href="/enrol">Enrol</Link></nav>
        <span className={`live ${live.connected ? 'on' : 'off'}`} role="status" data-testid="live">{live.connected ? 'live' : 'reconnecting…'}</span>
      </header>
      <main>
        <Switch>
          <Route path="/" component={NodesPage} />
          <Route path="/enrol" component={EnrolPage} />
          <Route path="/nodes/:uuid" component={NodePage} />
          <Route><p className="page">Not found. <Link href="/">Nodes</Link></p></Route>
        </Switch>
      </main>
    </>
  );
}

connectLive(() => void client.invalidateQueries());
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={client}>
      <Router base="/dashboard"><Shell /></Router>
    </QueryClientProvider>
  </StrictMode>,
);
