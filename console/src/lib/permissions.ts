import type { Profile } from './session';

/**
 * What each role may open, as the API's @Roles say (the API still refuses anyone else): the console only leaves out
 * what would be refused, so nobody meets a screen of 403s.
 */
const WHO: Record<'reports' | 'funding' | 'slaEvents' | 'admin', readonly string[]> = {
  // Volumes, SLA and CSAT: institution staff get their institutions' share; the funding report is the centre's.
  reports: ['supervisor', 'admin', 'specialist', 'expert'],
  funding: ['supervisor', 'admin'],
  slaEvents: ['supervisor', 'admin'],
  admin: ['admin'],
};

export function can(profile: Profile | null, what: keyof typeof WHO): boolean {
  return !!profile && profile.roles.some((r) => WHO[what].includes(r));
}
