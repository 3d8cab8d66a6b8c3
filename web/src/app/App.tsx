import { QueryClientProvider } from "@tanstack/react-query";
import { Suspense, useEffect, useState } from "react";
import { session } from "../api/client.ts";
import { useSession } from "../auth/useSession.ts";
import { Alert } from "../ui/Alert.tsx";
import { Button } from "../ui/Button.tsx";
import { NotFound } from "../ui/ErrorView.tsx";
import { Loading } from "../ui/Loading.tsx";
import { PageHeading } from "../ui/PageHeading.tsx";
import { Layout } from "./Layout.tsx";
import { useOnline } from "./notices.ts";
import { createQueryClient } from "./queryClient.ts";
import { navigate, routeFor, useLocation } from "./router.tsx";

// The first screen's chunk loads while the session is restored, not after.
if (typeof window !== "undefined") void routeFor(window.location.pathname)?.route.page.preload();

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function Forbidden() {
  return (
    <div className="space-y-4 py-6">
      <PageHeading title="Not allowed">Admins only</PageHeading>
      <p className="text-slate-700">This page is for administrators. Your account can't open it.</p>
    </div>
  );
}

function Unreachable() {
  const online = useOnline();
  useEffect(() => {
    const retry = () => void session.restore();
    window.addEventListener("online", retry);
    return () => window.removeEventListener("online", retry);
  }, []);
  return (
    <div className="mx-auto max-w-md space-y-4 py-12">
      <PageHeading title="Can't reach Assay">Can't reach Assay</PageHeading>
      <Alert tone="error" title={online ? "The service didn't answer" : "You're offline"}>
        {online ? "Assay may be briefly unavailable. Try again in a moment." : "Reconnect and Assay will pick up where you left off."}
      </Alert>
      <Button onClick={() => void session.restore()}>Try again</Button>
    </div>
  );
}

function Screen() {
  const state = useSession();
  const { pathname, href } = useLocation();
  if (state.status === "restoring") return <Loading label="Opening Assay…" />;
  if (state.status === "unreachable") return <Unreachable />;
  const found = routeFor(pathname);
  if (found) {
    const { route, params } = found;
    const signedIn = state.status === "signed_in";
    if (route.access === "signed_out" && signedIn) return <Redirect to="/" />;
    if ((route.access === "signed_in" || route.access === "admin") && !signedIn) {
      return <Redirect to={pathname === "/" ? "/login" : `/login?next=${encodeURIComponent(href)}`} />;
    }
    if (route.access === "admin" && state.status === "signed_in" && state.user.role !== "admin") return <Forbidden />;
    return (
      <Suspense fallback={<Loading />}>
        <route.page.Page params={params} />
      </Suspense>
    );
  }
  return <NotFound />;
}

export function App() {
  const [queryClient] = useState(createQueryClient);
  useEffect(() => {
    void session.restore();
    // A signed-out browser keeps nothing of the last user's data.
    return session.subscribe(() => {
      if (session.getState().status === "signed_out") queryClient.clear();
    });
  }, [queryClient]);
  return (
    <QueryClientProvider client={queryClient}>
      <Layout>
        <Screen />
      </Layout>
    </QueryClientProvider>
  );
}
