import { useCallback, useEffect, useState } from 'react';
import { setSessionLostHandler } from '../api/client.ts';
import { forgetSession, resumeSession, signOut, type Session } from '../api/session.ts';
import { SignInPage } from '../pages/SignInPage.tsx';
import { ServersPage } from '../pages/ServersPage.tsx';
import { ServerPage } from '../pages/ServerPage.tsx';
import { InstallWizardPage } from '../pages/InstallWizardPage.tsx';
import { TaskPage } from '../pages/TaskPage.tsx';
import { NotFoundPage } from '../pages/NotFoundPage.tsx';
import { Navbar } from './Navbar.tsx';
import { useRoute, type Route } from './router.tsx';

/** The panel: the sign-in page, or the signed-in layout with the page of the current route. */
export function App() {
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);
  const route = useRoute();

  useEffect(() => {
    void resumeSession().then(setSession);
  }, []);

  useEffect(() => {
    setSessionLostHandler(() => {
      forgetSession();
      setSession(null);
      setNotice('Your session has ended. Sign in again to continue.');
    });
    return () => setSessionLostHandler(null);
  }, []);

  const onSignOut = useCallback(async () => {
    await signOut().catch(() => undefined);
    setSession(null);
    setNotice('You are signed out.');
  }, []);

  if (session === undefined) {
    return (
      <div className="flex min-h-screen items-center justify-center" aria-busy="true">
        <span className="loading loading-spinner loading-lg" aria-label="Loading" />
      </div>
    );
  }
  if (session === null) {
    return (
      <SignInPage
        notice={notice}
        onSignedIn={(next) => {
          setNotice(null);
          setSession(next);
        }}
      />
    );
  }
  return (
    <div className="min-h-screen bg-base-200">
      <a href="#main" className="btn btn-sm btn-primary absolute left-2 top-2 z-50 -translate-y-20 focus:translate-y-0">
        Skip to content
      </a>
      <Navbar session={session} onSignOut={() => void onSignOut()} />
      <main id="main" className="mx-auto w-full max-w-6xl px-3 py-4 sm:px-6 sm:py-6">
        <Page route={route} session={session} />
      </main>
    </div>
  );
}

function Page({ route, session }: { route: Route; session: Session }) {
  switch (route.page) {
    case 'servers':
      return <ServersPage session={session} />;
    case 'server':
      return <ServerPage key={route.serviceName} serviceName={route.serviceName} tab={route.tab} session={session} />;
    case 'install':
      return <InstallWizardPage key={route.serviceName} serviceName={route.serviceName} />;
    case 'task':
      return <TaskPage key={`${route.serviceName}/${route.taskId}`} serviceName={route.serviceName} taskId={route.taskId} />;
    case 'not-found':
      return <NotFoundPage path={route.path} />;
  }
}
