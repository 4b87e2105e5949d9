import { Body, Controller, Get, Param, Put, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import type { HttpRequest } from '../common/http';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthUser } from '../auth/auth-user';
import { validationProblem } from '../common/problem';
import { AutoAnswersService } from './auto-answers.service';

export class SetAutoAnswerDto {
  @ApiProperty({ description: 'Whether level 0 answers questions of this topic from the knowledge base by itself' })
  @IsBoolean()
  enabled: boolean;
}

/** Supervisors decide, topic by topic, whether level 0 answers in writing by itself; off by default, off at once. */
@ApiTags('knowledge')
@ApiBearerAuth()
@Roles('admin', 'supervisor')
@Controller('v1/admin/auto-answers')
export class AutoAnswersController {
  constructor(private readonly autoAnswers: AutoAnswersService) {}

  @Get()
  @ApiOperation({ summary: 'Topics level 0 may answer by itself, and how many answers it sent on each' })
  list() {
    return this.autoAnswers.list();
  }

  @Put(':topic')
  @ApiOperation({ summary: 'Turn level-0 written answers on or off for a topic; takes effect for the next contact' })
  set(@CurrentUser() user: AuthUser, @Param('topic') topic: string, @Body() body: SetAutoAnswerDto, @Req() req: HttpRequest) {
    if (!topic.trim() || topic.length > 200)
      throw validationProblem([{ field: 'topic', code: 'invalid', message: 'a topic is 1 to 200 characters' }]);
    return this.autoAnswers.set(user, topic, body.enabled, { requestId: req.id ? String(req.id) : undefined });
  }
}
