"use client";

import { useEffect, useRef, useState, type ReactNode } from "react";

/** A wide table's box: it scrolls sideways inside its panel (never the page), and while it does
 *  it is a named region that takes keyboard focus, so that it can be scrolled with the arrow
 *  keys (WCAG 2.1.1). A table that fits is left out of the tab order. */
export function ScrollArea({ label, children }: { label: string; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrolls, setScrolls] = useState(false);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const check = () => setScrolls(element.scrollWidth > element.clientWidth + 1);
    check();
    const observer = new ResizeObserver(check);
    observer.observe(element);
    if (element.firstElementChild) observer.observe(element.firstElementChild);
    return () => observer.disconnect();
  }, []);
  return (
    <div ref={ref} className="table-scroll" tabIndex={scrolls ? 0 : undefined} role={scrolls ? "region" : undefined} aria-label={scrolls ? `${label} (scrolls sideways)` : undefined}>
      {children}
    </div>
  );
}
