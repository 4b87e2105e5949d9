import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import type { AuthUser } from '../auth/auth-user';
import { CreateSavedViewDto, UpdateSavedViewDto, ViewTicketsQuery } from './dto/saved-view.dto';
import { SavedViewsService } from './saved-views.service';

@ApiTags('saved views')
@ApiBearerAuth()
@Roles('operator', 'specialist', 'expert', 'supervisor', 'admin')
@Controller('v1/saved-views')
export class SavedViewsController {
  constructor(private readonly views: SavedViewsService) {}

  @Get()
  @ApiOperation({
    summary: "The inbox views you may open (yours, your institutions' teams', the centre's), each with how many tickets it holds for you",
  })
  list(@CurrentUser() user: AuthUser) {
    return this.views.list(user);
  }

  @Post()
  @ApiOperation({ summary: 'Save a filter and sort of the inbox under a name; its id is the link to pass on' })
  create(@CurrentUser() user: AuthUser, @Body() body: CreateSavedViewDto) {
    return this.views.create(user, body);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One view with its count of tickets for you' })
  get(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string) {
    return this.views.get(user, id);
  }

  @Get(':id/tickets')
  @ApiOperation({
    summary: "The view's tickets: the inbox list with its filters and sort, within your scope, with keyset (cursor) pagination",
  })
  tickets(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Query() q: ViewTicketsQuery) {
    return this.views.ticketsOf(user, id, q);
  }

  @Patch(':id')
  update(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateSavedViewDto) {
    return this.views.update(user, id, body);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(@CurrentUser() user: AuthUser, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.views.remove(user, id);
  }
}
