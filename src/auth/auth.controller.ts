import { Body, Controller, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AgentsService } from '../agents/agents.service';
import { ProblemException } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { Public } from './auth.decorators';
import { LoginDto, TokenResponseDto } from './dto/login.dto';

@ApiTags('auth')
@Controller('v1/auth')
export class AuthController {
  constructor(
    private readonly agents: AgentsService,
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
  ) {}

  @Public()
  @Post('login')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Exchange e-mail and password for a bearer token' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiUnauthorizedResponse({ description: 'Wrong e-mail or password (the answer does not say which)' })
  async login(@Body() body: LoginDto): Promise<TokenResponseDto> {
    const agent = await this.agents.verifyCredentials(body.email, body.password);
    if (!agent) {
      throw new ProblemException(HttpStatus.UNAUTHORIZED, 'invalid-credentials', 'Unauthorized', 'Wrong e-mail or password.');
    }
    const accessToken = await this.jwt.signAsync({ sub: agent.id }, { expiresIn: this.config.JWT_TTL_SECONDS, algorithm: 'HS256' });
    return { accessToken, tokenType: 'Bearer', expiresIn: this.config.JWT_TTL_SECONDS };
  }
}
