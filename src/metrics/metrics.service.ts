import { Injectable, OnModuleDestroy, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { constants, PerformanceEntry, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { DataSource } from 'typeorm';
import { statementsSent } from '../database/database-options';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';

/**
 * The Prometheus registry of this process. Each application instance owns its registry (not prom-client's
 * global one), so several instances in one process, as in tests, never clash.
 */
@Injectable()
export class MetricsService implements OnModuleDestroy {
  readonly registry = new Registry();
  private readonly collections: PerformanceObserver;

  /** Inbound events at the channel's door: accepted, duplicate (a replay), or rejected (with the reason). */
  readonly inboundEvents = new Counter({
    name: 'vp_inbound_events_total',
    help: 'Inbound events received by channel adapters, by outcome',
    labelNames: ['channel', 'outcome', 'reason'] as const,
    registers: [this.registry],
  });

  /** What the inbound processor did with an event. */
  readonly inboundProcessed = new Counter({
    name: 'vp_inbound_processed_total',
    help: 'Inbound events processed into tickets, by outcome',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  /** Chat events from visitors and staff, by outcome; refusals (rate limit, bad input) carry their reason. */
  readonly chatEvents = new Counter({
    name: 'vp_chat_events_total',
    help: 'Chat socket events by event, outcome (ok, duplicate, refused) and refusal reason',
    labelNames: ['event', 'outcome', 'reason'] as const,
    registers: [this.registry],
  });

  /** What the chat assistant did with a visitor's turn. */
  readonly chatAssistant = new Counter({
    name: 'vp_chat_assistant_total',
    help: 'Chat assistant decisions: answer, choices, no-match, hand-over (by reason), resolved at level 0',
    labelNames: ['decision'] as const,
    registers: [this.registry],
  });

  readonly outboundMessages = new Counter({
    name: 'vp_outbound_messages_total',
    help: 'Outbound messages by channel and outcome: sent, failed (for good), deferred (an attempt failed; retried with backoff), busy (held back while its channel had OUTBOUND_CHANNEL_MAX_IN_FLIGHT in hand)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  /** The e-mail channel: fetched from IMAP, ingested, duplicate, rejected, auto-replied, suppressed. */
  readonly emailMessages = new Counter({
    name: 'vp_email_messages_total',
    help: 'E-mail channel events by mailbox and outcome',
    labelNames: ['mailbox', 'outcome'] as const,
    registers: [this.registry],
  });

  /** IMAP connections to a mailbox that were refused, failed or dropped (each followed by a reconnect with backoff). */
  readonly mailboxDisconnects = new Counter({
    name: 'vp_email_mailbox_disconnects_total',
    help: 'IMAP connections lost or refused, by mailbox',
    labelNames: ['mailbox'] as const,
    registers: [this.registry],
  });

  readonly ticketsAutoAssigned = new Counter({
    name: 'vp_tickets_auto_assigned_total',
    help: 'Tickets given to an agent by an automatic queue strategy',
    labelNames: ['strategy'] as const,
    registers: [this.registry],
  });

  /** Presence changes: online/away/offline, and why (heartbeat, timeout, disconnect). */
  readonly presenceChanges = new Counter({
    name: 'vp_presence_changes_total',
    help: 'Agent presence changes by new state and cause',
    labelNames: ['state', 'cause'] as const,
    registers: [this.registry],
  });

  /** SLA warnings and breaches recorded (each once per clock cycle), by metric. */
  readonly slaEvents = new Counter({
    name: 'vp_sla_events_total',
    help: 'SLA warnings and breaches recorded, by metric and kind',
    labelNames: ['metric', 'kind'] as const,
    registers: [this.registry],
  });

  /** What SLA timers found when they fired: recorded, stale (a newer timer exists), or already recorded. */
  readonly slaTimers = new Counter({
    name: 'vp_sla_timers_total',
    help: 'SLA timer firings by outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly caseStatusLookups = new Counter({
    name: 'vp_case_status_lookups_total',
    help: "Citizens' case-status lookups by proof (link or contact) and outcome (found, not-found, invalid, expired, too-many)",
    labelNames: ['proof', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly csatAnswers = new Counter({
    name: 'vp_csat_answers_total',
    help: 'Customer satisfaction answers by channel and score',
    labelNames: ['channel', 'score'] as const,
    registers: [this.registry],
  });

  /** Calls by how they ended (self_served, answered, abandoned, voicemail, callback_requested, failed, busy, no_answer). */
  readonly voiceCalls = new Counter({
    name: 'vp_voice_calls_total',
    help: 'Voice calls by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  /** Voicemail recordings fetched from Twilio into the ticket (stored), or left as a link (failed, by reason). */
  readonly recordingDeletions = new Counter({
    name: 'vp_recording_deletions_total',
    help: 'Call recordings deleted at Twilio after erasure or retention cleared them here, by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly voiceRecordings = new Counter({
    name: 'vp_voice_recordings_total',
    help: 'Voicemail recordings downloaded from Twilio, by outcome',
    labelNames: ['outcome', 'reason'] as const,
    registers: [this.registry],
  });

  /** Files sent on social channels: stored with their message, or not (by reason: http_404, too_large, type_refused...). */
  /** clamd's verdicts on arriving files: clean, infected (quarantined), or unavailable (the file waits, retried). */
  readonly fileScans = new Counter({
    name: 'vp_file_scans_total',
    help: 'Arrived files scanned by clamd, by channel and outcome (clean, infected, unavailable)',
    labelNames: ['channel', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly socialMedia = new Counter({
    name: 'vp_social_media_total',
    help: 'Files citizens sent on social channels, fetched from the platform, by platform, outcome and reason',
    labelNames: ['platform', 'outcome', 'reason'] as const,
    registers: [this.registry],
  });

  readonly queueDepth = new Gauge({
    name: 'vp_queue_jobs',
    help: 'Jobs in each BullMQ queue by state, read at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  /**
   * The heap in use, sampled at any moment, swings by half between collections with the garbage waiting for the
   * next one; what a full collection leaves is what the process holds alive, and a leak shows as its steady rise.
   */
  readonly heapLive = new Gauge({
    name: 'vp_nodejs_heap_live_bytes',
    help: 'V8 heap in use just after the last full (mark-compact) garbage collection: what the process holds alive',
    registers: [this.registry],
  });

  constructor(@Optional() @InjectDataSource() dataSource?: DataSource) {
    collectDefaultMetrics({ register: this.registry, prefix: 'vp_' });
    this.collections = new PerformanceObserver((list) => {
      const full = list
        .getEntries()
        .some((e) => (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR);
      if (full) this.heapLive.set(getHeapStatistics().used_heap_size);
    });
    this.collections.observe({ entryTypes: ['gc'] });
    let reported = 0;
    new Counter({
      name: 'vp_db_statements_total',
      help: 'SQL statements this process sent to PostgreSQL (what a request path costs, read before and after)',
      registers: [this.registry],
      collect() {
        const sent = dataSource ? statementsSent(dataSource) : 0;
        this.inc(Math.max(0, sent - reported));
        reported = sent;
      },
    });
  }

  onModuleDestroy(): void {
    this.collections.disconnect();
  }
}
