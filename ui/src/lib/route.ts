import { useSyncExternalStore } from 'react';

export const PAGES = ['setup', 'environments', 'maps', 'dashboard', 'activity', 'errors', 'alerts', 'demo'] as const;
export type Page = (typeof PAGES)[number];
export const DEFAULT_PAGE: Page = 'environments';

/** `#/maps` → "maps"; anything unknown → the default page. */
export function pageFromHash(hash: string): Page {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return (PAGES as readonly string[]).includes(name) ? (name as Page) : DEFAULT_PAGE;
}

function subscribe(onChange: () => void) {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

export function useRoute(): [Page, (page: Page) => void] {
  const page = useSyncExternalStore(subscribe, () => pageFromHash(window.location.hash), () => DEFAULT_PAGE);
  const navigate = (next: Page) => {
    window.location.hash = `#/${next}`;
  };
  return [page, navigate];
}
