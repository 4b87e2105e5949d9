import { InjectQueue, OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { JobName, QueueName, scheduleEvery } from '../../queues';
import { RealtimePublisher } from '../../realtime/realtime.publisher';
import { BoardService } from '../board.service';

/**
 * Pushes the live board to supervisors' sockets on a schedule shared by all workers (one job per tick, whichever
 * worker takes it), so that N workers do not send it N times.
 */
@Processor(QueueName.Supervision, { concurrency: 1 })
export class BoardProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(BoardProcessor.name);

  constructor(
    private readonly board: BoardService,
    private readonly realtime: RealtimePublisher,
    private readonly config: AppConfig,
    @InjectQueue(QueueName.Supervision) private readonly queue: Queue,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!(await scheduleEvery(this.queue, JobName.PublishBoard, this.config.SUPERVISOR_BOARD_PUSH_SECONDS * 1000, 10))) this.logger.warn('could not schedule the board; supervisors can still read it over REST');
  }

  async process(job: Job): Promise<void> {
    // A tick that waited behind a Redis outage is stale; the next one brings fresh figures.
    if (Date.now() - job.timestamp > this.config.SUPERVISOR_BOARD_PUSH_SECONDS * 2000) return;
    this.realtime.toSupervisors('board', await this.board.snapshot());
  }

  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn({ err: error }, '%s worker error (it reconnects by itself)', 'supervision');
  }
}
