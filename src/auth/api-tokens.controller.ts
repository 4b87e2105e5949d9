import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { HttpRequest } from '../common/http';
import { ApiTokensService } from './api-tokens.service';
import { CurrentUser, Roles } from './auth.decorators';
import type { AuthUser } from './auth-user';
import { ApiTokenViewDto, CreatedApiTokenDto, CreateApiTokenDto } from './dto/api-token.dto';

type Req = HttpRequest;

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('v1/admin/api-tokens')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Post()
  @ApiOperation({ summary: "A token for an institution's system: named scopes, an expiry; the token is shown this once" })
  @ApiCreatedResponse({ type: CreatedApiTokenDto })
  create(@CurrentUser() user: AuthUser, @Body() body: CreateApiTokenDto, @Req() req: Req): Promise<CreatedApiTokenDto> {
    return this.tokens.create(body, user, { ip: req.ip ?? null, requestId: req.id ? String(req.id) : null });
  }

  @Get()
  @ApiOperation({ summary: 'Every API token, without the token itself' })
  @ApiOkResponse({ type: [ApiTokenViewDto] })
  list(): Promise<ApiTokenViewDto[]> {
    return this.tokens.list();
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Revoke a token: it stops working at once' })
  @ApiNoContentResponse()
  revoke(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Req() req: Req): Promise<void> {
    return this.tokens.revoke(id, user, { ip: req.ip ?? null, requestId: req.id ? String(req.id) : null });
  }
}
