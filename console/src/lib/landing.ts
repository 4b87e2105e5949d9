import { href } from './router';
import type { Profile } from './session';

/**
 * Where a person's work is when they sign in: operators, specialists and experts their inbox (which their scope
 * already limits to their institution or their cases), supervisors the live board, an admin who supervises nobody
 * the admin screens, a data protection officer the audit trail.
 */
export function landingFor(profile: Profile): string {
  const roles = profile.roles;
  if (roles.some((r) => r === 'operator' || r === 'specialist' || r === 'expert')) return href({ name: 'inbox' });
  if (roles.includes('supervisor')) return href({ name: 'board' });
  if (roles.includes('admin')) return href({ name: 'admin', section: 'agents' });
  if (roles.includes('dpo')) return href({ name: 'audit' });
  return href({ name: 'inbox' });
}
