/**
 * Cloudflare Turnstile on the sign-up form. The script URL and the sitekey come from the build
 * (VITE_TURNSTILE_SCRIPT_URL, VITE_TURNSTILE_SITE_KEY; web/.env.*): Cloudflare's in production,
 * the local stand-in with the always-pass test sitekey in development and e2e. A token is spent
 * by one sign-up attempt, so the form resets the widget after every refusal.
 */
import { useEffect, useId, useImperativeHandle, useRef, type Ref } from "react";

interface TurnstileParams {
  sitekey: string;
  callback: (token: string) => void;
  "expired-callback": () => void;
  "error-callback": () => void;
  theme?: "light" | "dark" | "auto";
  action?: string;
}

interface TurnstileApi {
  render(container: HTMLElement, params: TurnstileParams): string;
  reset(widgetId: string): void;
  remove(widgetId: string): void;
}

declare global {
  interface Window {
    turnstile?: TurnstileApi;
  }
}

export const turnstileConfig = {
  scriptUrl: import.meta.env.VITE_TURNSTILE_SCRIPT_URL ?? "https://challenges.cloudflare.com/turnstile/v0/api.js",
  siteKey: import.meta.env.VITE_TURNSTILE_SITE_KEY ?? "",
};

let loading: Promise<TurnstileApi> | undefined;

/** Loads the widget script once per page (explicit rendering). */
function loadTurnstile(): Promise<TurnstileApi> {
  loading ??= new Promise<TurnstileApi>((resolve, reject) => {
    const script = document.createElement("script");
    script.src = `${turnstileConfig.scriptUrl}?render=explicit`;
    script.async = true;
    script.onload = () => (window.turnstile ? resolve(window.turnstile) : reject(new Error("Turnstile did not load")));
    script.onerror = () => {
      loading = undefined;
      reject(new Error("Turnstile did not load"));
    };
    document.head.appendChild(script);
  });
  return loading;
}

export interface TurnstileHandle {
  /** A fresh challenge (the previous token is spent or refused). */
  reset(): void;
}

interface TurnstileWidgetProps {
  /** The current token, or "" while there is none (expired, failed, not yet solved). */
  onToken: (token: string) => void;
  error?: string | undefined;
  ref?: Ref<TurnstileHandle>;
}

export function TurnstileWidget({ onToken, error, ref }: TurnstileWidgetProps) {
  const container = useRef<HTMLDivElement>(null);
  const widgetId = useRef<string | undefined>(undefined);
  const onTokenRef = useRef(onToken);
  const errorId = useId();
  useEffect(() => {
    onTokenRef.current = onToken;
  }, [onToken]);

  useImperativeHandle(ref, () => ({
    reset: () => {
      onTokenRef.current("");
      if (widgetId.current && window.turnstile) window.turnstile.reset(widgetId.current);
    },
  }));

  useEffect(() => {
    let cancelled = false;
    loadTurnstile()
      .then((turnstile) => {
        if (cancelled || !container.current) return;
        widgetId.current = turnstile.render(container.current, {
          sitekey: turnstileConfig.siteKey,
          action: "signup",
          callback: (token) => onTokenRef.current(token),
          "expired-callback": () => onTokenRef.current(""),
          "error-callback": () => onTokenRef.current(""),
        });
      })
      .catch(() => onTokenRef.current(""));
    return () => {
      cancelled = true;
      if (widgetId.current && window.turnstile) window.turnstile.remove(widgetId.current);
      widgetId.current = undefined;
    };
  }, []);

  return (
    <div>
      <div ref={container} className="min-h-[65px]" aria-describedby={error ? errorId : undefined} data-testid="turnstile" />
      {error && (
        <p id={errorId} className="mt-1 text-sm font-medium text-red-700">
          <span aria-hidden="true">⚠ </span>
          {error}
        </p>
      )}
    </div>
  );
}
