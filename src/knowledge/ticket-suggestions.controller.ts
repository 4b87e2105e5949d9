import { Controller, Get, HttpStatus, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { AuthUser, ticketScope, ticketScopeSql } from '../auth/auth-user';
import { ProblemException } from '../common/problem';
import type { Language } from '../tickets/entities/ticket.entity';
import { KnowledgeSearchService } from './knowledge-search.service';

/** What a question is searched by: the subject and the start of the message carry it; long mail is mostly quotes. */
const QUERY_CHARS = 600;

@ApiTags('knowledge')
@ApiBearerAuth()
@Controller('v1/tickets/:reference/suggestions')
export class TicketSuggestionsController {
  constructor(
    private readonly knowledge: KnowledgeSearchService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get()
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @ApiOperation({
    summary: "Knowledge-base answers for the customer's latest message, best first, in the ticket's language",
    description: 'The same search as GET /v1/knowledge/search, asked with the subject and the last message the customer wrote.',
  })
  async suggest(@CurrentUser() user: AuthUser, @Param('reference') reference: string) {
    const params: unknown[] = [reference.toUpperCase()];
    const [ticket]: Array<{ language: Language; institution: string | null; subject: string | null; text: string | null }> =
      await this.dataSource.query(
        `SELECT t.language, i.code AS institution, t.subject,
              (SELECT m.text FROM messages m WHERE m.ticket_id = t.id AND m.direction = 'inbound' AND NOT m.internal
               ORDER BY m.created_at DESC, m.id DESC LIMIT 1) AS text
       FROM tickets t LEFT JOIN institutions i ON i.id = t.institution_id
       WHERE t.reference = $1 ${ticketScopeSql(ticketScope(user), 't', (v) => `$${params.push(v)}`)}`,
        params,
      );
    if (!ticket) throw new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', `No ticket ${reference} that you may see.`);
    const query = [ticket.subject, ticket.text].filter(Boolean).join('\n').slice(0, QUERY_CHARS);
    const results = query.trim()
      ? await this.knowledge.search(query, { language: ticket.language, institution: ticket.institution ?? undefined, limit: 3 })
      : [];
    return { results };
  }
}
