// Vitest setup: jest-dom matchers, a clean DOM and storage between tests, and
// the browser APIs jsdom lacks that Mantine uses (matchMedia, ResizeObserver,
// scrollIntoView — the combobox scrolls its selected option into view on a timer).
import '@testing-library/jest-dom/vitest';
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(() => {
  cleanup();
  localStorage.clear();
});

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

if (!('ResizeObserver' in window)) {
  class ResizeObserverStub {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  Object.assign(window, { ResizeObserver: ResizeObserverStub });
}

if (!Element.prototype.scrollIntoView) {
  Element.prototype.scrollIntoView = function scrollIntoView() {};
}

// jsdom prints "Not implemented" for scrolling the window (the router restores
// the scroll position on navigation); nothing scrolls in jsdom.
window.scrollTo = () => {};
