import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { acceptsLanguages, type HttpReply, pathOf } from '../common/http';
import { Public } from '../auth/auth.decorators';
import { ProblemException, validationProblem } from '../common/problem';
import { sendTooManyRequests } from '../rate-limit/rate-limit.middleware';
import { formPage, statusPage, tooManyPage } from './case-page';
import { CASE_COPY, CASE_LANGUAGES } from './case-status-copy';
import { CaseLookupResult, CaseStatusService } from './case-status.service';

export class CaseStatusQuery {
  @ApiPropertyOptional({ description: 'The signed link token from the acknowledgement' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  token?: string;

  @ApiPropertyOptional({ description: 'The e-mail address or phone number the case came from (instead of a token)' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  contact?: string;

  @ApiPropertyOptional({ enum: CASE_LANGUAGES, description: "Language of the texts; the case's own by default" })
  @IsOptional()
  @IsIn(CASE_LANGUAGES)
  lang?: string;
}

export class CasePageQuery {
  @IsOptional()
  @IsString()
  @MaxLength(512)
  t?: string;

  @IsOptional()
  @IsString()
  @MaxLength(8)
  lang?: string;
}

export class CasePageForm {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  reference?: string;

  @IsOptional()
  @IsString()
  @MaxLength(320)
  contact?: string;

  @IsOptional()
  @IsString()
  @MaxLength(8)
  lang?: string;
}

const NOT_FOUND = () => new ProblemException(HttpStatus.NOT_FOUND, 'not-found', 'Not found', 'No case with this reference and proof.');

/** Citizens' case status as JSON: for the portal, an app, or anyone building on the API. */
@ApiTags('public')
@Controller('v1/public/cases')
export class CaseStatusController {
  constructor(private readonly cases: CaseStatusService) {}

  @Public()
  @Get(':reference')
  @ApiOperation({
    summary:
      'Where a case stands (status, level, institution, answer due date, last update), with the signed link token or the e-mail/phone it came from',
  })
  async show(@Param('reference') reference: string, @Query() q: CaseStatusQuery, @Res() res: HttpReply) {
    const result = await this.cases.lookup({ reference, token: q.token, contact: q.contact, lang: q.lang });
    switch (result.kind) {
      case 'found':
        return res.send(result.view);
      case 'invalid':
        throw validationProblem(result.errors);
      case 'expired':
        throw new ProblemException(
          HttpStatus.GONE,
          'link-expired',
          'Link expired',
          'This case-status link has expired; use the reference and the e-mail or phone instead.',
        );
      case 'too-many':
        return sendTooManyRequests(
          res,
          pathOf(res.request),
          { retryAfterSeconds: result.retryAfterSeconds },
          'Too many lookups of this reference; try again later.',
        );
      default:
        throw NOT_FOUND();
    }
  }
}

/** The public page at /case: a form, or the answer behind a signed link. */
@ApiTags('public')
@Controller('case')
export class CasePageController {
  constructor(private readonly cases: CaseStatusService) {}

  @Public()
  @Get()
  @ApiOperation({ summary: 'The case-status page (HTML): the form, or the status behind the signed link `?t=`' })
  async page(@Query() q: CasePageQuery, @Res() res: HttpReply) {
    if (!q.t) return res.type('text/html; charset=utf-8').send(formPage(languageOf(q.lang, res)));
    return this.answer(res, await this.cases.lookup({ token: q.t, lang: q.lang }), q.t);
  }

  @Public()
  @Post()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'The case-status page (HTML) for a reference and the e-mail/phone it came from' })
  async lookup(@Body() form: CasePageForm, @Res() res: HttpReply) {
    return this.answer(
      res,
      await this.cases.lookup({ reference: form.reference, contact: form.contact, lang: languageOf(form.lang, res) }),
      null,
      form.reference,
    );
  }

  private answer(res: HttpReply, result: CaseLookupResult, token: string | null, reference?: string) {
    if (result.kind === 'found') return res.type('text/html; charset=utf-8').send(statusPage(result.view, token));
    const copy = CASE_COPY[result.language];
    const keep = reference?.slice(0, 32);
    switch (result.kind) {
      case 'invalid':
        return res
          .status(422)
          .type('text/html; charset=utf-8')
          .send(formPage(result.language, { reference: keep, errors: result.errors }));
      case 'expired':
        return res
          .status(410)
          .type('text/html; charset=utf-8')
          .send(formPage(result.language, { message: copy.expired }));
      case 'too-many':
        return res
          .status(429)
          .header('Retry-After', String(result.retryAfterSeconds))
          .type('text/html; charset=utf-8')
          .send(tooManyPage(result.language));
      default:
        return res
          .status(404)
          .type('text/html; charset=utf-8')
          .send(formPage(result.language, { reference: keep, message: copy.notFound }));
    }
  }
}

/** The asked language, else the browser's first of ours, else Latvian. */
function languageOf(asked: string | undefined, res: HttpReply): (typeof CASE_LANGUAGES)[number] {
  if (asked && (CASE_LANGUAGES as readonly string[]).includes(asked)) return asked as (typeof CASE_LANGUAGES)[number];
  const accepted = acceptsLanguages(res.request, CASE_LANGUAGES);
  return (accepted || 'lv') as (typeof CASE_LANGUAGES)[number];
}
