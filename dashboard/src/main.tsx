// The dashboard's entry: data cache (@tanstack/react-query), routes (wouter, under /dashboard), the live
// stream (opened once for the whole page, and again after a login) and the login form when the service asks.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Link, Route, Router, Switch } from 'wouter';
import { connectLive, disconnectLive, useLive } from './live';
import { loggedOut, useAuth } from './auth';
import { LoginPage } from './LoginPage';
import { NodesPage } from './NodesPage';
import { NodePage } from './NodePage';
import { EnrolPage } from './EnrolPage';
import './style.css';

const client = new QueryClient({ defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false, staleTime: 5_000 } } });

const resync = () => void client.invalidateQueries();

/** Nothing fetched as one user may show for the next: the cache goes with the stream. */
function restart(): void {
  disconnectLive();
  client.clear();
}

function Shell() {
  const live = useLive();
  const auth = useAuth();
  const logout = () => {
    loggedOut();
    restart();
  };
  return (
    <>
      <header className="top">
        <Link href="/" className="brand">Anvil</Link>
        <nav aria-label="Main"><Link href="/">Nodes</Link><Link href="/enrol">Enrol</Link></nav>
        {auth.loginNeeded
          ? <span className="live off" role="status" data-testid="live">logged out</span>
          : <span className={`live ${live.connected ? 'on' : 'off'}`} role="status" data-testid="live" title={live.refused ?? undefined}>
            {live.connected ? 'live' : live.refused ? 'not live' : 'reconnecting…'}</span>}
        {auth.user && <span className="user"><span data-testid="user">{auth.user}</span> <button type="button" onClick={logout}>Log out</button></span>}
      </header>
      <main>
        {auth.loginNeeded ? <LoginPage reason={auth.loginNeeded.reason} onLoggedIn={() => { restart(); connectLive(resync); }} /> : <Switch>
          <Route path="/" component={NodesPage} />
          <Route path="/enrol" component={EnrolPage} />
          <Route path="/nodes/:uuid" component={NodePage} />
          <Route><p className="page">Not found. <Link href="/">Nodes</Link></p></Route>
        </Switch>}
      </main>
    </>
  );
}

connectLive(resync);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={client}>
      <Router base="/dashboard"><Shell /></Router>
    </QueryClientProvider>
  </StrictMode>,
);
