// The document title of a screen: "<screen> · berth admin", so that browser
// tabs, history and screen readers name the page.
import { useEffect } from 'react';

/** Sets the document title while the calling screen is shown. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    const before = document.title;
    document.title = title ? `${title} · berth admin` : 'berth admin';
    return () => {
      document.title = before;
    };
  }, [title]);
}
