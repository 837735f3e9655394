// The login form, shown instead of the views while the service refuses the dashboard for want of credentials
// (`http_basic`). A password is tried with one ordinary API request; the API's refusal is shown as it gives it.
import { useState, type FormEvent } from 'react';
import { api } from './api';
import { basicAuthorization, loggedIn } from './auth';
import { ErrorBox } from './ui';

export function LoginPage({ reason, onLoggedIn }: { reason: string | null; onLoggedIn: () => void }) {
  const [user, setUser] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    const value = basicAuthorization(user, password);
    try {
      // Any authenticated read proves the password; the smallest one does.
      await api('GET', '/v1/nodes?limit=1&fields=uuid', undefined, { authorization: value });
      setPassword('');
      loggedIn(user, value);
      onLoggedIn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page login-page">
      <form className="login card" onSubmit={submit} aria-label="Log in">
        <h1>Log in</h1>
        <p className="muted">{reason ?? 'This Anvil asks for a user name and password (http_basic).'}</p>
        <label>User name<input name="username" autoComplete="username" required value={user} onChange={(e) => setUser(e.target.value)} autoFocus /></label>
        <label>Password<input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} /></label>
        <ErrorBox error={error} />
        <div className="row end"><button type="submit" disabled={busy}>Log in</button></div>
      </form>
    </div>
  );
}
