import { useEffect, useState } from 'react';

/** The console's own addresses, all under /console (the service answers index.html for each). */
export const BASE = '/console';

export type Route =
  | { name: 'inbox' }
  | { name: 'board' }
  | { name: 'sign-in' }
  | { name: 'ticket'; reference: string }
  // The operator's desk: live chats (one open beside the lists) and the phone.
  | { name: 'chats'; reference?: string }
  | { name: 'phone' }
  | { name: 'audit' }
  // Supervisor's reports and the admin screens
  | { name: 'reports' }
  | { name: 'sla-events' }
  | { name: 'admin'; section: AdminSection }
  | { name: 'not-found' };

export const ADMIN_SECTIONS = ['agents', 'routing', 'sla', 'calendar', 'ivr', 'knowledge', 'mailboxes', 'webhooks', 'fields'] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number];

export function parseRoute(pathname: string): Route {
  const path = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  if (path === '' || path === '/') return { name: 'inbox' };
  if (path === '/sign-in') return { name: 'sign-in' };
  if (path === '/board') return { name: 'board' };
  if (path === '/chats' || path === '/chats/') return { name: 'chats' };
  if (path === '/phone') return { name: 'phone' };
  if (path === '/audit') return { name: 'audit' };
  const chat = /^\/chats\/([A-Za-z0-9-]{1,40})\/?$/.exec(path);
  if (chat) return { name: 'chats', reference: chat[1].toUpperCase() };
  // Supervisor's reports and the admin screens
  if (path === '/reports') return { name: 'reports' };
  if (path === '/sla-events') return { name: 'sla-events' };
  const admin = /^\/admin(?:\/([a-z-]+))?\/?$/.exec(path);
  if (admin) {
    const section = (admin[1] ?? 'agents') as AdminSection;
    return ADMIN_SECTIONS.includes(section) ? { name: 'admin', section } : { name: 'not-found' };
  }
  const ticket = /^\/tickets\/([A-Za-z0-9-]{1,40})\/?$/.exec(path);
  if (ticket) return { name: 'ticket', reference: ticket[1].toUpperCase() };
  return { name: 'not-found' };
}

export function href(route: Route): string {
  switch (route.name) {
    case 'inbox':
      return `${BASE}/`;
    case 'sign-in':
      return `${BASE}/sign-in`;
    case 'board':
      return `${BASE}/board`;
    case 'ticket':
      return `${BASE}/tickets/${encodeURIComponent(route.reference)}`;
    case 'chats':
      return route.reference ? `${BASE}/chats/${encodeURIComponent(route.reference)}` : `${BASE}/chats`;
    case 'phone':
      return `${BASE}/phone`;
    case 'audit':
      return `${BASE}/audit`;
    // Supervisor's reports and the admin screens
    case 'reports':
      return `${BASE}/reports`;
    case 'sla-events':
      return `${BASE}/sla-events`;
    case 'admin':
      return `${BASE}/admin/${route.section}`;
    default:
      return `${BASE}/`;
  }
}

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.pathname));
    window.addEventListener('popstate', update);
    return () => window.removeEventListener('popstate', update);
  }, []);
  return route;
}

/** A plain link that moves inside the console without a reload (a modified click opens as the browser likes). */
export function onLinkClick(event: React.MouseEvent<HTMLAnchorElement>): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(event.currentTarget.getAttribute('href')!);
}
