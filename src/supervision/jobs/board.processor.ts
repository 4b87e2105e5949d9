import { InjectQueue, Processor } from '@nestjs/bullmq';
import { Job, Queue } from 'bullmq';
import { AppConfig } from '../../config/app-config';
import { PeriodicWork, QueueProcessor } from '../../common/queue-processor';
import { JobName, QueueName } from '../../queues';
import { RealtimePublisher } from '../../realtime/realtime.publisher';
import { BoardService } from '../board.service';

/**
 * Pushes the live board to supervisors' sockets on a schedule shared by all workers (one job per tick, whichever
 * worker takes it), so that N workers do not send it N times.
 */
@Processor(QueueName.Supervision, { concurrency: 1 })
export class BoardProcessor extends QueueProcessor {
  constructor(
    private readonly board: BoardService,
    private readonly realtime: RealtimePublisher,
    private readonly config: AppConfig,
    @InjectQueue(QueueName.Supervision) queue: Queue,
  ) {
    super(QueueName.Supervision, { queue });
  }

  /** Supervisors can still read the board over REST while it cannot be scheduled. */
  protected override periodic(): PeriodicWork[] {
    return [
      {
        job: JobName.PublishBoard,
        everyMs: this.config.SUPERVISOR_BOARD_PUSH_SECONDS * 1000,
        keepFailed: 10,
        run: (job) => this.publish(job),
      },
    ];
  }

  private async publish(job: Job): Promise<void> {
    // A tick that waited behind a Redis outage is stale; the next one brings fresh figures.
    if (Date.now() - job.timestamp > this.config.SUPERVISOR_BOARD_PUSH_SECONDS * 2000) return;
    this.realtime.toSupervisors('board', await this.board.snapshot());
  }
}
