import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Queue } from 'bullmq';
import type { Response } from 'express';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';
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
  ) {}

  @Get()
  @ApiOperation({ summary: 'Readiness: PostgreSQL and Redis answer. 503 when any dependency is down.' })
  async check(@Res() res: Response): Promise<void> {
    const [postgres, redis] = await Promise.all([
      timed(() => this.dataSource.query('SELECT 1')),
      timed(async () => ((await this.inboundQueue.client) as unknown as { ping(): Promise<string> }).ping()),
    ]);
    const checks = { postgres, redis };
    const up = Object.values(checks).every((c) => c.status === 'up');
    res.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({ status: up ? 'ok' : 'error', checks });
  }
}
