import { Body, Controller, Get, HttpCode, HttpStatus, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MenuNode, MenuProblem } from '@lib/ivr-menu';
import { Roles } from '../../auth/auth.decorators';
import { IvrMenuDto } from './dto/ivr-menu.dto';
import { VoiceMenuService } from './voice-menu.service';

/** The IVR menu, edited as a whole: what callers hear changes only to a menu that cannot strand them. */
@ApiTags('admin')
@ApiBearerAuth()
@Roles('admin')
@Controller('v1/admin/ivr')
export class IvrAdminController {
  constructor(private readonly menus: VoiceMenuService) {}

  @Get()
  @ApiOperation({ summary: 'The IVR menu and the languages offered' })
  async get(): Promise<{ languages: string[]; nodes: MenuNode[] }> {
    return { languages: this.menus.languages, nodes: await this.menus.read() };
  }

  @Put()
  @ApiOperation({ summary: 'Replace the whole IVR menu (refused with every problem listed if it could dead-end)' })
  async put(@Body() body: IvrMenuDto): Promise<{ languages: string[]; nodes: MenuNode[] }> {
    return { languages: this.menus.languages, nodes: await this.menus.replace(body.nodes) };
  }

  @Post('validate')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Check a menu without saving it' })
  async validate(@Body() body: IvrMenuDto): Promise<{ valid: boolean; problems: MenuProblem[] }> {
    const problems = await this.menus.problems(body.nodes);
    return { valid: problems.length === 0, problems };
  }
}
