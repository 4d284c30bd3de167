// Sign-in and the one-time setup of the first owner (/setup?token=…).
import { useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, errorMessage, request } from '../api';
import { ErrorBanner, TextInput } from '../components/ui';
import { navigate, useLocation } from '../router';
import { useApp, useAsync } from '../state';

function AuthFrame({ title, subtitle, children }: { title: string; subtitle: ReactNode; children: ReactNode }) {
  return (
    <div className="auth-page">
      <main className="auth-card" id="main">
        <div className="brand auth-brand">
          <span className="brand-mark" aria-hidden="true">
            Æ
          </span>
          <span className="brand-name">Aether</span>
        </div>
        <h1>{title}</h1>
        <p className="subtitle">{subtitle}</p>
        {children}
      </main>
    </div>
  );
}

const safeNext = (n: string | null) => (n && n.startsWith('/') && !n.startsWith('//') && !n.startsWith('/login') && !n.startsWith('/setup') ? n : '/');

export function SignIn() {
  const { refreshMe } = useApp();
  const { search } = useLocation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [errs, setErrs] = useState<{ email?: string; password?: string }>({});

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const v: typeof errs = {};
    if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) v.email = 'Enter your email address';
    if (!password) v.password = 'Enter your password';
    setErrs(v);
    if (Object.keys(v).length) return;
    setBusy(true);
    setError(null);
    try {
      await request('/api/v1/auth/login', { method: 'POST', body: { email: email.trim(), password }, noProject: true, allow401: true });
      await refreshMe();
      navigate(safeNext(search.get('next')), { replace: true });
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? err.message || 'Wrong email or password' : errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthFrame title="Sign in" subtitle="Observability, evaluations and alerts for your LLM applications.">
      <form onSubmit={submit} noValidate aria-label="Sign in">
        <ErrorBanner error={error} />
        <TextInput label="Email" type="email" name="email" autoComplete="username" value={email} onChange={(e) => { setEmail(e.target.value); setErrs(({ email: _, ...rest }) => rest); }} error={errs.email} autoFocus required />
        <TextInput label="Password" type="password" name="password" autoComplete="current-password" value={password} onChange={(e) => { setPassword(e.target.value); setErrs(({ password: _, ...rest }) => rest); }} error={errs.password} required />
        <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="auth-foot">
        First time here? Open the one-time setup link the server printed when it first started (<code>/setup?token=…</code>).
      </p>
    </AuthFrame>
  );
}

export function Setup() {
  const { refreshMe } = useApp();
  const { search } = useLocation();
  const token = search.get('token') ?? '';
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errs, setErrs] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // A used link must not offer the form again: once an owner exists the server refuses it anyway.
  const status = useAsync((signal) => request<{ setup_required: boolean }>('/api/v1/auth/setup', { noProject: true, allow401: true, signal }), []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const v: Record<string, string> = {};
    if (!name.trim()) v.name = 'Enter your name';
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim())) v.email = 'Enter a valid email address';
    if (password.length < 8) v.password = 'Use at least 8 characters';
    if (confirm !== password) v.confirm = 'The passwords do not match';
    setErrs(v);
    if (Object.keys(v).length) return;
    setBusy(true);
    setError(null);
    try {
      await request('/api/v1/auth/setup', { method: 'POST', body: { token, email: email.trim(), password, name: name.trim() }, noProject: true, allow401: true });
      // Setup may or may not open a session; sign in when it did not.
      const me = await refreshMe().catch(() => null);
      if (!me) {
        await request('/api/v1/auth/login', { method: 'POST', body: { email: email.trim(), password }, noProject: true, allow401: true });
        await refreshMe();
      }
      navigate('/', { replace: true });
    } catch (err) {
      if (err instanceof ApiError && Array.isArray((err.details as { issues?: unknown } | undefined)?.issues)) {
        const fe: Record<string, string> = {};
        for (const i of (err.details as { issues: Array<{ field: string; message: string }> }).issues) fe[i.field] = i.message;
        setErrs(fe);
      }
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  if (status.data?.setup_required === false) {
    return (
      <AuthFrame title="Aether is already set up" subtitle="This setup link has been used: the owner account exists.">
        <p>
          Sign in with your account, or ask an owner to add you under Settings → Users.
        </p>
        <a className="btn btn-primary btn-block" href="/login">
          Go to sign in
        </a>
      </AuthFrame>
    );
  }
  if (!token) {
    return (
      <AuthFrame title="Set up Aether" subtitle="This page needs the one-time setup link.">
        <p>
          Open the link the server printed on its first start; it looks like <code>http://127.0.0.1:8000/setup?token=…</code>. Already set up?{' '}
          <a href="/login">Sign in</a>.
        </p>
      </AuthFrame>
    );
  }
  if (!status.data && !status.error) return <AuthFrame title="Set up Aether" subtitle="Checking the setup link…">{null}</AuthFrame>;
  return (
    <AuthFrame title="Create the owner account" subtitle="You are the first user: you will own this Aether installation and its projects.">
      <form onSubmit={submit} noValidate aria-label="Create the owner account">
        <ErrorBanner error={error} />
        <TextInput label="Name" name="name" autoComplete="name" value={name} onChange={(e) => { setName(e.target.value); setErrs(({ name: _, ...rest }) => rest); }} error={errs.name} autoFocus />
        <TextInput label="Email" type="email" name="email" autoComplete="username" value={email} onChange={(e) => { setEmail(e.target.value); setErrs(({ email: _, ...rest }) => rest); }} error={errs.email} />
        <TextInput label="Password" type="password" name="password" autoComplete="new-password" value={password} onChange={(e) => { setPassword(e.target.value); setErrs(({ password: _, ...rest }) => rest); }} error={errs.password} help="At least 8 characters." />
        <TextInput label="Confirm password" type="password" name="confirm" autoComplete="new-password" value={confirm} onChange={(e) => { setConfirm(e.target.value); setErrs(({ confirm: _, ...rest }) => rest); }} error={errs.confirm} />
        <button className="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy ? 'Creating…' : 'Create account and sign in'}
        </button>
      </form>
    </AuthFrame>
  );
}
