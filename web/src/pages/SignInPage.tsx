import { useState, type FormEvent } from 'react';
import { messageOf } from '../api/api-error.ts';
import { parsePastedKeys, signIn, type ApiKeys, type Session } from '../api/session.ts';

/**
 * Sign-in with an account's API keys: they sign one call that opens a browser session (an HttpOnly cookie);
 * the application secret is not kept.
 */
export function SignInPage({ notice, onSignedIn }: { notice: string | null; onSignedIn: (session: Session) => void }) {
  const [keys, setKeys] = useState<ApiKeys>({ applicationKey: '', applicationSecret: '', consumerKey: '' });
  const [pasted, setPasted] = useState('');
  const [pasteProblem, setPasteProblem] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const usePasted = (text: string) => {
    setPasted(text);
    if (text.trim() === '') {
      setPasteProblem(null);
      return;
    }
    const found = parsePastedKeys(text);
    if (found === null) setPasteProblem('This does not hold applicationKey, applicationSecret and consumerKey.');
    else {
      setPasteProblem(null);
      setKeys(found);
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(keys));
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  const field = (name: keyof ApiKeys, label: string, secret = false) => (
    <div className="fieldset py-1">
      <label htmlFor={name} className="fieldset-legend pb-1 text-sm">
        {label}
      </label>
      <input
        id={name}
        name={name}
        className="input w-full font-mono"
        type={secret ? 'password' : 'text'}
        autoComplete={secret ? 'current-password' : 'username'}
        spellCheck={false}
        required
        value={keys[name]}
        onChange={(event) => setKeys({ ...keys, [name]: event.target.value.trim() })}
      />
    </div>
  );

  return (
    <div className="flex min-h-screen flex-col bg-base-200">
      <header className="navbar bg-primary px-4 text-primary-content">
        <span className="text-lg font-bold">byoi</span>
        <span className="ml-3 hidden text-sm opacity-80 sm:inline">Bring Your Own Image · control panel</span>
      </header>
      <main className="flex flex-1 items-start justify-center p-3 sm:items-center sm:p-6">
        <form className="card w-full max-w-lg bg-base-100 shadow-md" onSubmit={(event) => void submit(event)} aria-labelledby="signin-title">
          <div className="card-body gap-2">
            <h1 id="signin-title" className="card-title text-xl">
              Sign in
            </h1>
            <p className="text-sm text-base-content/70">
              Use your account's API keys. <code>npm start</code> prints the demo account's keys on first start and keeps them in{' '}
              <code>data/demo-credentials.json</code>. The application secret only signs this sign-in and is not stored.
            </p>
            {notice !== null && (
              <div role="status" className="alert alert-info alert-soft text-sm">
                {notice}
              </div>
            )}
            {field('applicationKey', 'Application key')}
            {field('applicationSecret', 'Application secret', true)}
            {field('consumerKey', 'Consumer key', true)}
            <details className="collapse-arrow collapse border border-base-300 bg-base-100">
              <summary className="collapse-title text-sm font-medium">Or paste demo-credentials.json</summary>
              <div className="collapse-content space-y-2">
                <label htmlFor="pasted-keys" className="text-sm">
                  The file's content, or the key lines <code>npm start</code> printed
                </label>
                <textarea
                  id="pasted-keys"
                  className="textarea w-full font-mono-tight"
                  rows={5}
                  spellCheck={false}
                  value={pasted}
                  onChange={(event) => usePasted(event.target.value)}
                  aria-describedby="pasted-keys-problem"
                />
                <label htmlFor="keys-file" className="text-sm">
                  or load the file:
                </label>
                <input
                  id="keys-file"
                  type="file"
                  accept=".json,application/json"
                  className="file-input file-input-sm w-full"
                  onChange={(event) => {
                    const file = event.target.files?.[0];
                    if (file !== undefined) void file.text().then(usePasted);
                  }}
                />
                <p id="pasted-keys-problem" className="text-sm text-error" aria-live="polite">
                  {pasteProblem}
                </p>
              </div>
            </details>
            {error !== null && (
              <div role="alert" className="alert alert-error alert-soft text-sm" data-testid="signin-error">
                {error}
              </div>
            )}
            <div className="card-actions justify-end pt-2">
              <button type="submit" className="btn btn-primary" disabled={busy}>
                {busy && <span className="loading loading-spinner loading-sm" aria-hidden="true" />}
                Sign in
              </button>
            </div>
          </div>
        </form>
      </main>
    </div>
  );
}
