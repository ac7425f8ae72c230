import { afterEach } from "vitest";
import { cleanup, configure } from "@testing-library/react";

// The machine may be busy (parallel builds): wait longer than the default second.
configure({ asyncUtilTimeout: 8000 });

afterEach(() => cleanup());

// jsdom lacks these; AntD's responsive components ask for them.
if (!window.matchMedia) {
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => {},
      removeListener: () => {},
      addEventListener: () => {},
      removeEventListener: () => {},
      dispatchEvent: () => false,
    }) as MediaQueryList;
}
// jsdom cannot compute pseudo-element styles (rc-table asks for the scrollbar's).
const computed = window.getComputedStyle.bind(window);
window.getComputedStyle = (elt: Element) => computed(elt);
if (!("ResizeObserver" in window)) {
  (window as unknown as { ResizeObserver: unknown }).ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}
