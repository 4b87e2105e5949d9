import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { accepts, type HttpReply, type HttpRequest } from '../common/http';
import { Public } from '../auth/auth.decorators';
import { CsatService, SurveyView } from './csat.service';

export class CsatAnswerDto {
  @ApiProperty({ minimum: 1, maximum: 5 })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5)
  score: number;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  comment?: string;
}

export class CsatPreselectQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 5, description: 'The score the customer clicked in the e-mail, shown selected' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(5)
  score?: number;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The survey link from the resolution e-mail. Opening it (GET) records nothing, because mail scanners open links;
 * the customer confirms with a button (POST). Browsers get a small page, API clients JSON.
 */
@ApiTags('csat')
@Controller('v1/csat')
export class CsatController {
  constructor(private readonly csat: CsatService) {}

  @Public()
  @Get(':token')
  @ApiOperation({ summary: 'The survey behind a signed link: the question and the current score (records nothing)' })
  async show(@Param('token') token: string, @Query() q: CsatPreselectQuery, @Req() req: HttpRequest, @Res() res: HttpReply) {
    const { ticketId: _ticketId, ...survey } = await this.csat.survey(token);
    if (accepts(req, ['json', 'html']) === 'html')
      return res.type('text/html; charset=utf-8').send(page(survey, token, q.score ?? survey.score));
    return res.send(survey);
  }

  @Public()
  @Post(':token')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Record the score (1–5) on the ticket; a later answer replaces an earlier one' })
  async answer(@Param('token') token: string, @Body() body: CsatAnswerDto, @Req() req: HttpRequest, @Res() res: HttpReply) {
    const survey = await this.csat.survey(token);
    const result = await this.csat.record(survey.ticketId, body.score, 'email', body.comment);
    if (accepts(req, ['json', 'html']) === 'html') {
      return res
        .type('text/html; charset=utf-8')
        .send(
          `<!doctype html><meta charset="utf-8"><title>${escape(survey.reference)}</title><p>${escape(this.csat.thanks(survey.language))}</p>`,
        );
    }
    return res.send(result);
  }
}

function page(survey: SurveyView, token: string, selected: number | null | undefined): string {
  const buttons = survey.scale
    .map((n) => `<button name="score" value="${n}"${n === selected ? ' autofocus style="font-weight:bold"' : ''}>${n}</button>`)
    .join(' ');
  return `<!doctype html><html lang="${escape(survey.language)}"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escape(survey.reference)}</title><p>${escape(survey.question)}</p>
<form method="post" action="/v1/csat/${escape(token)}">${buttons}</form></html>`;
}
