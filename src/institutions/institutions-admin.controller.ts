import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { AuthUser } from '../auth/auth-user';
import { InstitutionsAdminService } from './institutions-admin.service';
import { PublicContactDto } from './dto/public-contact.dto';

@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('v1/admin/institutions')
export class InstitutionsAdminController {
  constructor(private readonly admin: InstitutionsAdminService) {}

  @Get(':code/chat-widget')
  @ApiOperation({
    summary: "An institution's chat widget settings: the host sites allowed to embed it, colour, centre name, logo, privacy link",
  })
  get(@Param('code') code: string) {
    return this.admin.chatWidget(code);
  }

  @Put(':code/chat-widget')
  @ApiOperation({ summary: "Set an institution's chat widget settings (a site not in allowedOrigins gets no widget)" })
  @ApiBody({
    schema: {
      example: {
        allowedOrigins: ['https://www.vsaa.gov.lv'],
        colour: '#1f4e79',
        centreName: 'VSAA klientu centrs',
        logoUrl: 'https://www.vsaa.gov.lv/logo.png',
        privacyUrl: 'https://www.vsaa.gov.lv/privatums',
      },
    },
  })
  put(@CurrentUser() user: AuthUser, @Param('code') code: string, @Body() body: Record<string, unknown>) {
    return this.admin.setChatWidget(user, code, body ?? {});
  }

  @Put(':code/public-contact')
  @ApiOperation({
    summary: "How citizens reach the institution (phone, e-mail, address): what canned answers' {{institution.contact}} writes",
  })
  putPublicContact(@CurrentUser() user: AuthUser, @Param('code') code: string, @Body() body: PublicContactDto) {
    return this.admin.setPublicContact(user, code, body.publicContact?.trim() || null);
  }
}
