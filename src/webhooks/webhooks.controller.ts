import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators';
import { CreateSubscriptionDto, UpdateSubscriptionDto } from './dto/subscription.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('v1/admin/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  list() {
    return this.webhooks.list();
  }

  @Post()
  @ApiOperation({ summary: "Subscribe an institution's system to events about its tickets (signed with the given secret)" })
  create(@Body() body: CreateSubscriptionDto) {
    return this.webhooks.subscribe(body);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a subscription: `active: false` stops its deliveries, a new url is checked like a first one' })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateSubscriptionDto) {
    return this.webhooks.update(id, body);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Remove a subscription with its delivery log; nothing more is sent to it' })
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.webhooks.remove(id);
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'The delivery log of a subscription, newest first' })
  deliveries(@Param('id', ParseUUIDPipe) id: string) {
    return this.webhooks.deliveries(id);
  }
}
