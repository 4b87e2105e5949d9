import type { Role } from '../agents/entities/agent.entity';

/** The authenticated member of staff, as every guarded handler sees them. */
export interface AuthUser {
  id: string;
  email: string;
  roles: Role[];
  institutionIds: string[];
  /** The session the request's token belongs to. */
  sessionId?: string;
  /** Set when an institution's system calls with an API token (`id` is then the token's id, not an agent's). */
  apiToken?: { id: string; scopes: string[] };
}

/** Roles that work across the whole centre; every other role is limited to its institutions. */
const CENTRE_WIDE: Role[] = ['operator', 'supervisor', 'admin'];
/** Roles that work a case and so may see a personal code unmasked (each read is audited). */
const SEES_PERSONAL_CODES: Role[] = ['operator', 'specialist', 'expert'];

/**
 * What a member of staff may see: centre-wide roles everything; a specialist (L2) their institutions' tickets; an
 * expert (L3) who is not also a specialist only their own cases within their institutions — tickets at level 3,
 * tickets assigned to them, and tickets they have moved themselves (so a case they handed back stays readable).
 */
export type TicketScope = { all: true } | { all: false; institutionIds: string[]; ownCasesOf?: string };

export function ticketScope(user: AuthUser): TicketScope {
  if (user.roles.some((r) => CENTRE_WIDE.includes(r))) return { all: true };
  if (user.roles.includes('specialist')) return { all: false, institutionIds: user.institutionIds };
  return { all: false, institutionIds: user.institutionIds, ownCasesOf: user.id };
}

/**
 * The scope as a SQL condition on the tickets row `alias` (empty when unrestricted), with its values added through
 * `param`, which returns the placeholder. Every query that reads or changes tickets for a person uses it, so the
 * rule is written once.
 */
export function ticketScopeSql(scope: TicketScope, alias: string, param: (value: unknown) => string): string {
  if (scope.all) return '';
  // One institution, the usual case, as an equality: the inbox indexes that lead with institution_id then give
  // their order (PostgreSQL reads `= ANY(array)` as several ranges, in no single order).
  const inInstitutions =
    scope.institutionIds.length === 1
      ? `${alias}.institution_id = ${param(scope.institutionIds[0])}::uuid`
      : `${alias}.institution_id = ANY(${param(scope.institutionIds)}::uuid[])`;
  if (!scope.ownCasesOf) return `AND ${inInstitutions}`;
  const me = `${param(scope.ownCasesOf)}::uuid`;
  return `AND ${inInstitutions} AND (${alias}.level >= 3 OR ${alias}.assignee_id = ${me}
    OR EXISTS (SELECT 1 FROM escalations own WHERE own.ticket_id = ${alias}.id AND own.actor_agent_id = ${me}))`;
}

/** Whether a ticket (as a plain row) is within the scope: the same rule as ticketScopeSql, for rows in hand. */
export function inTicketScope(
  scope: TicketScope,
  ticket: { institution_id: string | null; level: number; assignee_id: string | null },
  movedByThem = false,
): boolean {
  if (scope.all) return true;
  if (!ticket.institution_id || !scope.institutionIds.includes(ticket.institution_id)) return false;
  if (!scope.ownCasesOf) return true;
  return ticket.level >= 3 || ticket.assignee_id === scope.ownCasesOf || movedByThem;
}

export function maySeePersonalCodes(user: AuthUser): boolean {
  return user.roles.some((r) => SEES_PERSONAL_CODES.includes(r));
}
