import { TicketScope } from '../auth/auth-user';

/**
 * Socket.io rooms, derived from the same scope rule as every ticket query: a socket joins the rooms of what its
 * agent may see, and a ticket event goes to the rooms of those who may see that ticket.
 */
export const Rooms = {
  /** Centre-wide roles: every ticket. */
  allTickets: 'tickets:all',
  /** Specialists of one institution: its tickets. */
  institution: (institutionId: string) => `tickets:inst:${institutionId}`,
  /** Experts of one institution: its tickets at level 3 (their other own cases reach them as assignee). */
  levelThree: (institutionId: string) => `tickets:l3:${institutionId}`,
  agent: (agentId: string) => `agent:${agentId}`,
  /** The sockets of one sign-in: ending the session disconnects exactly them, on whichever instance they are. */
  session: (sessionId: string) => `session:${sessionId}`,
  supervisors: 'supervisors',
  /** People who have the ticket open: who else is viewing or replying. */
  ticket: (ticketId: string) => `ticket:${ticketId}`,
};

export function roomsForScope(scope: TicketScope, agentId: string, roles: string[]): string[] {
  const rooms = [Rooms.agent(agentId)];
  if (roles.includes('supervisor') || roles.includes('admin')) rooms.push(Rooms.supervisors);
  if (scope.all) rooms.push(Rooms.allTickets);
  else rooms.push(...scope.institutionIds.map(scope.ownCasesOf ? Rooms.levelThree : Rooms.institution));
  return rooms;
}

export function roomsForTicket(ticket: { institution_id: string | null; level: number; assignee_id: string | null }): string[] {
  const rooms = [Rooms.allTickets];
  if (ticket.institution_id) {
    rooms.push(Rooms.institution(ticket.institution_id));
    if (ticket.level >= 3) rooms.push(Rooms.levelThree(ticket.institution_id));
  }
  if (ticket.assignee_id) rooms.push(Rooms.agent(ticket.assignee_id));
  return rooms;
}
