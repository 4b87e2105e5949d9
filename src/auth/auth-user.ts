import type { Role } from '../agents/entities/agent.entity';

/** The authenticated member of staff, as every guarded handler sees them. */
export interface AuthUser {
  id: string;
  email: string;
  roles: Role[];
  institutionIds: string[];
  /** The session the request's token belongs to. */
  sessionId?: string;
}

/** Roles that work across the whole centre; every other role is limited to its institutions. */
const CENTRE_WIDE: Role[] = ['operator', 'supervisor', 'admin'];
/** Roles that work a case and so may see a personal code unmasked (each read is audited). */
const SEES_PERSONAL_CODES: Role[] = ['operator', 'specialist', 'expert'];

export type TicketScope = { all: true } | { all: false; institutionIds: string[] };

export function ticketScope(user: AuthUser): TicketScope {
  if (user.roles.some((r) => CENTRE_WIDE.includes(r))) return { all: true };
  return { all: false, institutionIds: user.institutionIds };
}

export function maySeePersonalCodes(user: AuthUser): boolean {
  return user.roles.some((r) => SEES_PERSONAL_CODES.includes(r));
}
