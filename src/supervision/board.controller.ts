import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/auth.decorators';
import { BoardService } from './board.service';

@ApiTags('supervision')
@ApiBearerAuth()
@Controller('v1/supervisor')
export class BoardController {
  constructor(private readonly board: BoardService) {}

  @Get('board')
  @Roles('supervisor', 'admin')
  @ApiOperation({
    summary:
      'The live board: queues by channel (waiting, longest wait, service level, speed of answer, at risk, breached), agents, level-0 resolution',
    description: 'The same snapshot is pushed to supervisors’ sockets (`board` event on /agents) every SUPERVISOR_BOARD_PUSH_SECONDS.',
  })
  snapshot() {
    return this.board.snapshot();
  }
}
