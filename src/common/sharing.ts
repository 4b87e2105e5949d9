import { AuthUser, ticketScope } from '../auth/auth-user';

/** Who sees a shared thing: only its owner, those who work an institution's tickets, or everyone. */
export const SHARING = ['personal', 'institution', 'centre'] as const;
export type Sharing = (typeof SHARING)[number];

/** Whose a canned answer, macro or saved view is: the columns owner_agent_id and institution_id say it. */
export interface Owned {
  owner_agent_id: string | null;
  institution_id: string | null;
}

export function sharingOf(row: Owned): Sharing {
  return row.owner_agent_id ? 'personal' : row.institution_id ? 'institution' : 'centre';
}

/**
 * Which answers and macros a person sees, as a SQL condition on the row `alias`: their own, the centre's, and the
 * institutions' they may see tickets of (centre-wide roles: every institution's) — the same institutions as the
 * inbox's scope, so nobody reads another institution's wording of its cases.
 */
export function visibleSql(user: AuthUser, alias: string, param: (value: unknown) => string): string {
  const scope = ticketScope(user);
  const institutions = scope.all
    ? `${alias}.institution_id IS NOT NULL`
    : `${alias}.institution_id = ANY(${param(scope.institutionIds)}::uuid[])`;
  return `(${alias}.owner_agent_id = ${param(user.id)}::uuid OR (${alias}.owner_agent_id IS NULL AND (${alias}.institution_id IS NULL OR ${institutions})))`;
}

export function isVisible(user: AuthUser, row: Owned): boolean {
  if (row.owner_agent_id) return row.owner_agent_id === user.id;
  if (!row.institution_id) return true;
  const scope = ticketScope(user);
  return scope.all || scope.institutionIds.includes(row.institution_id);
}

/**
 * Who may write one: their own, anyone; the centre's, supervisors and admins; an institution's, supervisors and
 * admins, and that institution's own specialists and experts (they know its answers best). Operators share
 * through a supervisor.
 */
export function mayManage(user: AuthUser, row: Owned): boolean {
  if (row.owner_agent_id) return row.owner_agent_id === user.id;
  if (user.roles.includes('supervisor') || user.roles.includes('admin')) return true;
  if (!row.institution_id) return false;
  return (user.roles.includes('specialist') || user.roles.includes('expert')) && user.institutionIds.includes(row.institution_id);
}

/** Whether a thing shared as `outer` may use one shared as `inner`: everyone who sees the outer must see the inner too. */
export function mayUse(outer: Owned, inner: Owned): boolean {
  if (outer.owner_agent_id) return !inner.owner_agent_id || inner.owner_agent_id === outer.owner_agent_id;
  if (inner.owner_agent_id) return false;
  return !inner.institution_id || inner.institution_id === outer.institution_id;
}
