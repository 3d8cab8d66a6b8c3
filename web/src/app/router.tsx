/**
 * A small history router: the SPA has a handful of screens, so a location store, a matcher, a Link
 * and the route table (one lazily loaded chunk per screen) are all it needs. Pages serves
 * index.html for every path, so deep links work.
 */
import { type AnchorHTMLAttributes, type ComponentType, lazy, type LazyExoticComponent, type MouseEvent, useSyncExternalStore } from "react";

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((listener) => listener());

if (typeof window !== "undefined") window.addEventListener("popstate", notify);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const snapshot = () => window.location.pathname + window.location.search;

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (options.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.scrollTo(0, 0);
  notify();
}

export interface Location {
  pathname: string;
  search: URLSearchParams;
  href: string;
}

export function useLocation(): Location {
  const href = useSyncExternalStore(subscribe, snapshot, () => "/");
  const url = new URL(href, "http://spa.local");
  return { pathname: url.pathname, search: url.searchParams, href };
}

/**
 * Matches `/assessments/:id/results`-style patterns; returns the decoded params or null.
 *
 * @example
 * matchPath("/chat/:id", "/chat/42") // { id: "42" }
 */
export function matchPath(pattern: string, pathname: string): Record<string, string> | null {
  const want = pattern.split("/").filter(Boolean);
  const have = pathname.replace(/\/+$/, "").split("/").filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const actual = have[i] ?? "";
    if (part.startsWith(":")) {
      try {
        params[part.slice(1)] = decodeURIComponent(actual);
      } catch {
        return null;
      }
    } else if (part !== actual) return null;
  }
  return params;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & { to: string };

export function Link({ to, onClick, ...props }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={handle} {...props} />;
}

/** Who may open a route: anyone, only signed-out visitors (login), signed-in users, or admins. */
export type Access = "public" | "signed_out" | "signed_in" | "admin";

type Params = Record<string, string>;

/** A screen loaded on first visit (its own chunk), which can be fetched early with `preload`. */
export interface LazyPage {
  Page: LazyExoticComponent<ComponentType<{ params: Params }>>;
  preload: () => Promise<unknown>;
}

/**
 * A route's screen, code-split: `load` imports the page module and returns its component.
 *
 * @example
 * lazyPage(() => import("../chat/ChatPage.tsx"), (m) => m.ChatPage, (p) => ({ id: p.id ?? "" }))
 */
export function lazyPage<M, P extends object>(load: () => Promise<M>, pick: (module: M) => ComponentType<P>, props: (params: Params) => P): LazyPage {
  let loading: Promise<M> | undefined;
  const preload = () => (loading ??= load());
  const Page = lazy(async () => {
    const Component = pick(await preload());
    return { default: ({ params }: { params: Params }) => <Component {...props(params)} /> };
  });
  return { Page, preload };
}

export interface Route {
  path: string;
  access: Access;
  page: LazyPage;
}

const none = () => ({});
const byId = (p: Params) => ({ id: p.id ?? "" });

/**
 * Every screen, each in its own chunk, so the first screen loads only what it needs. A new screen
 * is one line here.
 */
export const routes: Route[] = [
  { path: "/", access: "signed_in", page: lazyPage(() => import("../dashboard/DashboardPage.tsx"), (m) => m.DashboardPage, none) },
  { path: "/login", access: "signed_out", page: lazyPage(() => import("../auth/LoginPage.tsx"), (m) => m.LoginPage, none) },
  { path: "/signup", access: "signed_out", page: lazyPage(() => import("../auth/SignupPage.tsx"), (m) => m.SignupPage, none) },
  { path: "/assessments/:id", access: "signed_in", page: lazyPage(() => import("../assessments/AssessmentPage.tsx"), (m) => m.AssessmentPage, byId) },
  { path: "/assessments/:id/results", access: "signed_in", page: lazyPage(() => import("../assessments/ResultsPage.tsx"), (m) => m.ResultsPage, byId) },
  { path: "/chat", access: "signed_in", page: lazyPage(() => import("../chat/ChatListPage.tsx"), (m) => m.ChatListPage, none) },
  { path: "/chat/:id", access: "signed_in", page: lazyPage(() => import("../chat/ChatPage.tsx"), (m) => m.ChatPage, byId) },
  { path: "/settings", access: "signed_in", page: lazyPage(() => import("../settings/SettingsPage.tsx"), (m) => m.SettingsPage, none) },
  { path: "/admin/templates", access: "admin", page: lazyPage(() => import("../admin/TemplatesAdminPage.tsx"), (m) => m.default, none) },
  { path: "/admin/usage", access: "admin", page: lazyPage(() => import("../admin/UsagePage.tsx"), (m) => m.default, none) },
];

/** The route for `pathname` and its params, or null (not found). */
export function routeFor(pathname: string): { route: Route; params: Params } | null {
  for (const route of routes) {
    const params = matchPath(route.path, pathname);
    if (params) return { route, params };
  }
  return null;
}
