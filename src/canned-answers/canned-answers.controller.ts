import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  Req,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { rigaDate } from '@lib/business-calendar';
import type { HttpRequest } from '../common/http';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthUser } from '../auth/auth-user';
import { validationProblem } from '../common/problem';
import { idempotencyKeyProblem } from '../common/validators';
import { TicketsQueryService } from '../tickets/tickets-query.service';
import { CannedAnswersService, cannedAnswerView } from './canned-answers.service';
import {
  CreateCannedAnswerDto,
  ListCannedAnswersQuery,
  UpdateCannedAnswerDto,
  UsageQuery,
  UseCannedAnswerDto,
} from './dto/canned-answer.dto';
import { ApplyMacroDto, CreateMacroDto, ListMacrosQuery, UpdateMacroDto } from './dto/macro.dto';
import { MacrosService } from './macros.service';

/** Everyone who answers tickets, and admins who keep the shared ones. */
const WRITERS = ['operator', 'specialist', 'expert', 'supervisor', 'admin'] as const;

@ApiTags('canned answers')
@ApiBearerAuth()
@Roles(...WRITERS)
@Controller('v1/canned-answers')
export class CannedAnswersController {
  constructor(
    private readonly answers: CannedAnswersService,
    private readonly tickets: TicketsQueryService,
  ) {}

  @Get()
  @ApiOperation({
    summary: "The canned answers you may use: yours, the centre's and your institutions', by title, with keyset (cursor) pagination",
  })
  list(@CurrentUser() user: AuthUser, @Query() q: ListCannedAnswersQuery) {
    return this.answers.list(user, q);
  }

  // Before ':id', which would otherwise take 'usage' for an id.
  @Get('usage')
  @Roles('supervisor', 'admin')
  @ApiOperation({
    summary:
      'How often each canned answer and macro was used in a period, by how many people, on how many tickets: which answers belong in the knowledge base',
  })
  async usage(@Query() q: UsageQuery) {
    const to = q.to ?? rigaDate(new Date());
    const from = q.from ?? rigaDate(new Date(Date.now() - 29 * 86_400_000));
    if (from > to) throw validationProblem([{ field: 'to', code: 'beforeFrom', message: 'to is before from' }]);
    return { from, to, items: await this.answers.usage(from, to) };
  }

  @Post()
  @ApiOperation({ summary: 'Write a canned answer (lv/ru/en); a placeholder that does not exist is refused at its field' })
  create(@CurrentUser() user: AuthUser, @Body() body: CreateCannedAnswerDto) {
    return this.answers.create(user, body);
  }

  @Get(':id')
  get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string) {
    return this.answers.get(user, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change an answer: yours, or a shared one you may write' })
  update(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateCannedAnswerDto) {
    return this.answers.update(user, id, body);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.answers.remove(user, id);
  }

  @Post(':id/use')
  @HttpCode(HttpStatus.OK)
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @ApiOperation({
    summary: 'The answer filled for a ticket, to put in the reply (counted as a use)',
    description:
      "In the ticket's language unless another is asked for. Placeholders the ticket has no value for are left in the text and listed in `missing`.",
  })
  async use(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() body: UseCannedAnswerDto) {
    const ticket = await this.tickets.answerContext(user, body.reference);
    const answer = await this.answers.row(user, id);
    const filled = await this.answers.render(answer, ticket, body.language);
    await this.answers.recordUse({ cannedAnswerId: answer.id, agentId: user.id, ticketId: ticket.id });
    return { answer: cannedAnswerView(answer), reference: ticket.reference, ...filled };
  }
}

@ApiTags('canned answers')
@ApiBearerAuth()
@Roles(...WRITERS)
@Controller('v1/macros')
export class MacrosController {
  constructor(private readonly macros: MacrosService) {}

  @Get()
  @ApiOperation({ summary: "The macros you may use: yours, the centre's and your institutions', by name" })
  list(@CurrentUser() user: AuthUser, @Query() q: ListMacrosQuery) {
    return this.macros.list(user, q);
  }

  @Post()
  @ApiOperation({
    summary: 'Save a macro: reply with a canned answer, set status and kind, add tags, escalate to a queue (each optional, at least one)',
  })
  create(@CurrentUser() user: AuthUser, @Body() body: CreateMacroDto) {
    return this.macros.create(user, body);
  }

  @Get(':id')
  get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string) {
    return this.macros.get(user, id);
  }

  @Patch(':id')
  update(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateMacroDto) {
    return this.macros.update(user, id, body);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.macros.remove(user, id);
  }
}

@ApiTags('canned answers')
@ApiBearerAuth()
@Controller('v1/tickets/:reference/macros')
export class TicketMacrosController {
  constructor(private readonly macros: MacrosService) {}

  @Post(':id')
  @HttpCode(HttpStatus.OK)
  @Roles('operator', 'specialist', 'expert', 'supervisor')
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: "The reply's key: the same key again does not send the answer twice",
  })
  @ApiOperation({
    summary:
      'Apply a macro to the ticket as your own action: its reply, status and kind, tags and escalation, each as you would make it by hand',
    description: 'All the steps in one transaction: a step refused midway is answered with its refusal, and nothing of the macro is made.',
  })
  apply(
    @CurrentUser() user: AuthUser,
    @Param('reference') reference: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ApplyMacroDto,
    @Req() req: HttpRequest,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    const keyProblem = idempotencyKeyProblem(idempotencyKey);
    if (keyProblem) throw validationProblem([keyProblem]);
    return this.macros.apply(user, reference, id, body, { requestId: req.id ? String(req.id) : undefined, ip: req.ip, idempotencyKey });
  }
}
