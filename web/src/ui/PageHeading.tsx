import { type ReactNode, useEffect, useRef } from "react";

let firstScreen = true;

/**
 * The screen's h1. After a client-side navigation it takes focus, so keyboard and screen-reader
 * users start at the top of the new screen; it also names the browser tab.
 */
export function PageHeading({ children, title, className = "" }: { children: ReactNode; title: string; className?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Assay`;
    if (firstScreen) firstScreen = false;
    else ref.current?.focus();
  }, [title]);
  return (
    <h1 ref={ref} tabIndex={-1} className={`text-2xl font-bold tracking-tight text-slate-900 outline-none sm:text-3xl ${className}`}>
      {children}
    </h1>
  );
}
