import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { InstitutionsService } from './institutions.service';

@ApiTags('institutions')
@ApiBearerAuth()
@Controller('v1/institutions')
export class InstitutionsController {
  constructor(private readonly institutions: InstitutionsService) {}

  @Get()
  @ApiOperation({ summary: 'The institutions (code and names): what a ticket can be escalated or referred to' })
  async list() {
    return [...(await this.institutions.all()).values()].map((i) => ({
      code: i.code,
      nameLv: i.nameLv,
      nameEn: i.nameEn,
      kind: i.kind,
      acceptsCases: i.acceptsCases,
      publicContact: i.publicContact,
    }));
  }
}
