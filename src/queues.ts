import type { Queue, WorkerOptions } from 'bullmq';
import type { Redis } from 'ioredis';

/** Every BullMQ queue, named for the work it does. */
export enum QueueName {
  Inbound = 'inbound',
  Outbound = 'outbound',
  Webhooks = 'webhooks',
  Routing = 'routing',
  Sla = 'sla',
  Supervision = 'supervision',
  /** Files citizens sent on social channels, fetched from the platform after the message is in. */
  SocialMedia = 'social-media',
  /** Subject access archives and erasures, one job per request. */
  SubjectRequests = 'subject-requests',
  /** The daily retention run. */
  Retention = 'retention',
  /** Snoozes waking, reminders coming due, tickets pending the customer closed. */
  FollowUps = 'follow-ups',
  /** Retraining level 0's contact classifier. */
  Classifier = 'classifier',
  /** Arrived files scanned by clamd before staff may open them. */
  FileScan = 'file-scan',
  /** Twilio's copies of the call recordings that erasure and retention cleared here. */
  RecordingDeletions = 'recording-deletions',
}

/** Job names within the queues. */
export enum JobName {
  /** The events one request or one batch of requests accepted, placed as tickets and messages. */
  InboundEvents = 'inbound-events',
  /** One accepted event, as older versions queued them. */
  InboundMessage = 'inbound-message',
  SendMessage = 'send-message',
  DeliverWebhook = 'deliver-webhook',
  /** Give waiting work in automatic queues to online agents with free capacity. */
  OfferWork = 'offer-work',
  /** Put silent agents offline, then offer work (the safety net for lost signals). */
  RoutingSweep = 'routing-sweep',
  SlaTimer = 'sla-timer',
  /** Push the live board to supervisors' sockets. */
  PublishBoard = 'publish-board',
  FetchSocialMedia = 'fetch-social-media',
  SubjectRequest = 'subject-request',
  RetentionRun = 'retention-run',
  /** Wake snoozed tickets due, announce reminders due, close tickets whose closing notice has gone. */
  FollowUpSweep = 'follow-up-sweep',
  /** Send the closing notice to tickets pending the customer past their policy's working days. */
  AutoCloseRun = 'auto-close-run',
  RetrainClassifier = 'retrain-classifier',
  ScanFile = 'scan-file',
  /** Files still waiting for clamd (it was away) are scanned again. */
  FileScanSweep = 'file-scan-sweep',
  /** Re-enqueue accepted inbound events whose job Redis lost. */
  InboundSweep = 'inbound-sweep',
  /** Re-enqueue outbound messages stuck without a job. */
  OutboundSweep = 'outbound-sweep',
  /** Re-enqueue webhook deliveries stuck without a job. */
  WebhookSweep = 'webhook-sweep',
  /** Start missing SLA clocks and re-add the timers due soon. */
  SlaSweep = 'sla-sweep',
  /** Delete at Twilio the recordings cleared here. */
  DeleteRecordings = 'delete-recordings',
}

/**
 * A job every `everyMs`, shared by all workers: upserting the same scheduler is idempotent, so N workers starting
 * make one schedule, and whichever worker is free takes each tick. Resolves false when Redis could not be reached.
 */
export async function scheduleEvery(queue: Queue, job: JobName, everyMs: number, keepFailed: number): Promise<boolean> {
  try {
    await queue.upsertJobScheduler(job, { every: everyMs }, { name: job, opts: { removeOnComplete: true, removeOnFail: keepFailed } });
    return true;
  } catch {
    return false;
  }
}

/**
 * Retries those of `jobIds` that BullMQ has failed, and returns them. The sweeps call it for work PostgreSQL says
 * is still to do: a job failed for stalling too often (the workers holding it were killed) keeps its id, so queueing
 * the work again adds nothing, and it would wait for ever. One round trip finds which of the ids failed; a job
 * whose state changed meanwhile is left to the next sweep.
 */
export async function retryFailed(queue: Queue, jobIds: string[]): Promise<string[]> {
  if (jobIds.length === 0) return [];
  // BullMQ types its client narrowly; it is an ioredis Redis or Cluster, and either pipelines (the queue's keys
  // share one slot on a Cluster).
  const client = (await queue.client) as unknown as Pick<Redis, 'pipeline'>;
  const lookup = client.pipeline();
  for (const id of jobIds) lookup.zscore(queue.keys.failed, id);
  const scores = (await lookup.exec()) ?? [];
  const failed = jobIds.filter((_, k) => scores[k]?.[1] != null);
  const retried: string[] = [];
  for (const id of failed) {
    const job = await queue.getJob(id);
    if (!job) continue;
    await job.retry('failed').then(
      () => retried.push(id),
      () => undefined,
    );
  }
  return retried;
}

/**
 * The worker settings of the queues someone waits on (a citizen's contact becoming a ticket, a reply leaving, an
 * SLA timer firing, work offered to an agent). A worker holds each job it takes under a lock it renews every half
 * lock; the jobs a killed worker held stay active until the lock has run out and BullMQ's stalled-job check, which
 * every worker runs, finds them and queues them again. With BullMQ's defaults (a 30 s lock, a check every 30 s)
 * that took up to a minute; with these, about 15 s. A live worker loses a lock only if its event loop stops for
 * more than half a lock (5 s); the jobs of these queues are idempotent, so such a job run twice records nothing
 * twice (a mail or a webhook whose sending had begun may leave twice, as after any crash). Long CPU-bound jobs
 * (classifier training, retention, exports) keep the defaults.
 */
export const QUICK_RECOVERY = { lockDuration: 10_000, stalledInterval: 5_000 } as const satisfies Partial<WorkerOptions>;
