import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, HttpStatus, Req, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Queue } from 'bullmq';
import type { HttpReply, HttpRequest } from '../common/http';
import { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';
import { MailboxesService } from '../channels/email/mailboxes.service';
import { redisOf } from '../common/redis';
import { withTimeout } from '../common/with-timeout';
import { QueueName } from '../queues';
import { ClamdService } from '../scanning/clamd.service';
import { FileScansService } from '../scanning/file-scans.service';
import { OperationsAccess } from './operations-access';

interface Check {
  status: 'up' | 'down';
  latencyMs?: number;
  error?: string;
}

async function timed(what: string, probe: () => Promise<unknown>, timeoutMs = 2000): Promise<Check> {
  const started = performance.now();
  try {
    await withTimeout(probe(), timeoutMs, what);
    return { status: 'up', latencyMs: Math.round(performance.now() - started) };
  } catch (e) {
    return { status: 'down', error: (e as Error).message };
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
    private readonly access: OperationsAccess,
    private readonly clamd: ClamdService,
    private readonly scans: FileScansService,
  ) {}

  @Get()
  @ApiOperation({
    summary: 'Readiness: {"status":"up"} when PostgreSQL and Redis answer, {"status":"down"} with 503 when not',
    description:
      "With the monitoring token (METRICS_TOKEN) or a supervisor's or admin's bearer token, the details too: each " +
      'check with its latency or error, the connection state of every mailbox, and the malware scanner (clamd: up, ' +
      'down with the number of files waiting for it, or off when CLAMAV_URL is unset). A mailbox that is not ' +
      'connected, or a scanner that is down or off, makes the detailed status "degraded" but not 503: the API still works.',
  })
  async check(@Req() req: HttpRequest, @Res() res: HttpReply): Promise<void> {
    const [postgres, redis, detailed] = await Promise.all([
      timed('PostgreSQL', () => this.dataSource.query('SELECT 1')),
      timed('Redis', async () => (await redisOf(this.inboundQueue)).ping()),
      this.access.mayReadHealthDetails(req),
    ]);
    const checks = { postgres, redis };
    const up = Object.values(checks).every((c) => c.status === 'up');
    const status = up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE;
    // Mailbox addresses and error texts describe the installation: not for anyone who can reach the port.
    if (!detailed) {
      res.status(status).send({ status: up ? 'up' : 'down' });
      return;
    }
    const [mailboxes, scanning] = await Promise.all([up ? this.mailboxes.statuses().catch(() => []) : [], this.scanning(up)]);
    const degraded = mailboxes.some((m) => m.state !== 'connected') || scanning.status !== 'up';
    res.status(status).send({ status: up ? (degraded ? 'degraded' : 'ok') : 'error', checks, mailboxes, scanning });
  }

  /**
   * clamd: files wait unscanned (and unserved) while it is down, which degrades the service without stopping it.
   * Running without a scanner at all is said here as loudly as at start.
   */
  private async scanning(
    databaseUp: boolean,
  ): Promise<(Check & { waitingFiles?: number; warning?: string }) | { status: 'off'; warning: string }> {
    if (!this.clamd.enabled) {
      return { status: 'off', warning: 'CLAMAV_URL is not set: arriving files are not scanned for malware and are served as they came' };
    }
    const [check, waitingFiles] = await Promise.all([
      timed('clamd', () => this.clamd.ping()),
      databaseUp ? this.scans.waiting().catch(() => undefined) : undefined,
    ]);
    return { ...check, waitingFiles };
  }
}
