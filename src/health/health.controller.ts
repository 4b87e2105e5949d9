import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Queue } from 'bullmq';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';
import { MailboxesService } from '../channels/email/mailboxes.service';
import { redisOf } from '../common/redis';
import { QueueName } from '../queues';

interface Check {
  status: 'up' | 'down';
  latencyMs?: number;
  error?: string;
}

async function timed(probe: () => Promise<unknown>, timeoutMs = 2000): Promise<Check> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs))),
    ]);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (e) {
    return { status: 'down', error: (e as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectQueue(QueueName.Inbound) private readonly inboundQueue: Queue,
    private readonly mailboxes: MailboxesService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Readiness: PostgreSQL and Redis answer (503 when not), and the connection state of every mailbox',
    description: 'A mailbox that is not connected makes the status "degraded" but not 503: the API still works without it.',
  })
  async check(@Res() res: Response): Promise<void> {
    const [postgres, redis] = await Promise.all([
      timed(() => this.dataSource.query('SELECT 1')),
      timed(async () => (await redisOf(this.inboundQueue)).ping()),
    ]);
    const checks = { postgres, redis };
    const up = Object.values(checks).every((c) => c.status === 'up');
    const mailboxes = up ? await this.mailboxes.statuses().catch(() => []) : [];
    const degraded = mailboxes.some((m) => m.state !== 'connected');
    res
      .status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
      .json({ status: up ? (degraded ? 'degraded' : 'ok') : 'error', checks, mailboxes });
  }
}
