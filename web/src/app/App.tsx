import { QueryClientProvider } from "@tanstack/react-query";
import { lazy, type ReactNode, Suspense, useEffect, useState } from "react";
import { session } from "../api/client.ts";
import { AssessmentPage } from "../assessments/AssessmentPage.tsx";
import { ResultsPage } from "../assessments/ResultsPage.tsx";
import { LoginPage } from "../auth/LoginPage.tsx";
import { SignupPage } from "../auth/SignupPage.tsx";
import { useSession } from "../auth/useSession.ts";
import { ChatListPage } from "../chat/ChatListPage.tsx";
import { ChatPage } from "../chat/ChatPage.tsx";
import { DashboardPage } from "../dashboard/DashboardPage.tsx";
import { SettingsPage } from "../settings/SettingsPage.tsx";
import { Alert } from "../ui/Alert.tsx";
import { Button } from "../ui/Button.tsx";
import { NotFound } from "../ui/ErrorView.tsx";
import { Loading } from "../ui/Loading.tsx";
import { PageHeading } from "../ui/PageHeading.tsx";
import { Layout } from "./Layout.tsx";
import { useOnline } from "./notices.ts";
import { createQueryClient } from "./queryClient.ts";
import { matchPath, navigate, useLocation } from "./router.tsx";

const TemplatesAdminPage = lazy(() => import("../admin/TemplatesAdminPage.tsx"));

type Access = "public" | "signed_out" | "signed_in" | "admin";
interface Route {
  path: string;
  access: Access;
  render: (params: Record<string, string>) => ReactNode;
}

const routes: Route[] = [
  { path: "/", access: "signed_in", render: () => <DashboardPage /> },
  { path: "/login", access: "signed_out", render: () => <LoginPage /> },
  { path: "/signup", access: "signed_out", render: () => <SignupPage /> },
  { path: "/assessments/:id", access: "signed_in", render: (p) => <AssessmentPage id={p.id ?? ""} /> },
  { path: "/assessments/:id/results", access: "signed_in", render: (p) => <ResultsPage id={p.id ?? ""} /> },
  { path: "/chat", access: "signed_in", render: () => <ChatListPage /> },
  { path: "/chat/:id", access: "signed_in", render: (p) => <ChatPage id={p.id ?? ""} /> },
  { path: "/settings", access: "signed_in", render: () => <SettingsPage /> },
  { path: "/admin/templates", access: "admin", render: () => <TemplatesAdminPage /> },
];

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
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (!params) continue;
    const signedIn = state.status === "signed_in";
    if (route.access === "signed_out" && signedIn) return <Redirect to="/" />;
    if ((route.access === "signed_in" || route.access === "admin") && !signedIn) {
      return <Redirect to={pathname === "/" ? "/login" : `/login?next=${encodeURIComponent(href)}`} />;
    }
    if (route.access === "admin" && state.status === "signed_in" && state.user.role !== "admin") return <Forbidden />;
    return <Suspense fallback={<Loading />}>{route.render(params)}</Suspense>;
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
