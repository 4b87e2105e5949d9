import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators';
import { CreateSubscriptionDto } from './dto/subscription.dto';
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

  @Get(':id/deliveries')
  @ApiOperation({ summary: 'The delivery log of a subscription, newest first' })
  deliveries(@Param('id', ParseUUIDPipe) id: string) {
    return this.webhooks.deliveries(id);
  }
}
