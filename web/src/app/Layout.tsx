import type { ReactNode } from "react";
import { session } from "../api/client.ts";
import { useSession } from "../auth/useSession.ts";
import { Banners } from "./Banners.tsx";
import { Link, navigate, useLocation } from "./router.tsx";

function NavLink({ to, children, match }: { to: string; children: ReactNode; match: (path: string) => boolean }) {
  const { pathname } = useLocation();
  const current = match(pathname);
  return (
    <Link
      to={to}
      aria-current={current ? "page" : undefined}
      className={`inline-flex min-h-11 items-center rounded-md px-3 text-sm font-medium ${
        current ? "bg-white/15 text-white" : "text-brand-100 hover:bg-white/10 hover:text-white"
      }`}
    >
      {children}
    </Link>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const state = useSession();
  const user = state.status === "signed_in" ? state.user : null;
  return (
    <div className="flex min-h-dvh flex-col">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-white px-4 py-2 font-semibold text-brand-800 focus:not-sr-only focus:fixed focus:top-2 focus:left-2"
      >
        Skip to content
      </a>
      <header className="bg-brand-800 text-white">
        <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-x-4 gap-y-1 px-4 py-2">
          <Link to="/" className="inline-flex min-h-11 items-center gap-2 text-lg font-bold tracking-tight">
            <img src="/favicon.svg" alt="" className="size-7" />
            Assay
          </Link>
          {user ? (
            <nav aria-label="Main" className="-mx-2 flex flex-wrap items-center gap-1">
              <NavLink to="/" match={(p) => p === "/" || p.startsWith("/assessments")}>
                Dashboard
              </NavLink>
              <NavLink to="/chat" match={(p) => p.startsWith("/chat")}>
                Coach
              </NavLink>
              <NavLink to="/settings" match={(p) => p === "/settings"}>
                Settings
              </NavLink>
              {user.role === "admin" && (
                <>
                  <NavLink to="/admin/templates" match={(p) => p.startsWith("/admin/templates")}>
                    Templates
                  </NavLink>
                  <NavLink to="/admin/usage" match={(p) => p.startsWith("/admin/usage")}>
                    Usage
                  </NavLink>
                </>
              )}
              <button
                type="button"
                onClick={() => void session.signOut().then(() => navigate("/login", { replace: true }))}
                className="inline-flex min-h-11 items-center rounded-md px-3 text-sm font-medium text-brand-100 hover:bg-white/10 hover:text-white"
              >
                Log out
              </button>
            </nav>
          ) : (
            <nav aria-label="Account" className="flex items-center gap-1">
              <NavLink to="/login" match={(p) => p === "/login"}>
                Log in
              </NavLink>
              <NavLink to="/signup" match={(p) => p === "/signup"}>
                Sign up
              </NavLink>
            </nav>
          )}
        </div>
      </header>
      <Banners />
      <main id="main" className="mx-auto w-full max-w-5xl flex-1 px-4 pb-16">
        {children}
      </main>
      <footer className="border-t border-slate-200 py-4 text-center text-xs text-slate-600">
        Assay is a self-reflection tool, not a diagnosis. If you are struggling, talk to a professional.
      </footer>
    </div>
  );
}
