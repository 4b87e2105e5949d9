import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../../auth/auth.decorators';
import { CreateMailboxDto, UpdateMailboxDto } from './dto/mailbox.dto';
import { MailboxesService } from './mailboxes.service';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('v1/admin/mailboxes')
export class MailboxesController {
  constructor(private readonly mailboxes: MailboxesService) {}

  @Get()
  @ApiOperation({ summary: 'Mailboxes read over IMAP (passwords are never returned)' })
  list() {
    return this.mailboxes.list();
  }

  @Post()
  @ApiOperation({ summary: 'Add a mailbox; a worker starts reading it within seconds' })
  create(@Body() body: CreateMailboxDto) {
    return this.mailboxes.create(body);
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.mailboxes.get(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a mailbox; its reader reconnects with the new settings' })
  update(@Param('id', ParseUUIDPipe) id: string, @Body() body: UpdateMailboxDto) {
    return this.mailboxes.update(id, body);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Stop reading a mailbox and forget its checkpoint (its tickets stay)' })
  async remove(@Param('id', ParseUUIDPipe) id: string): Promise<void> {
    await this.mailboxes.remove(id);
  }
}
