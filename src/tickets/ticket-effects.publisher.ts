import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { IsolationLevel } from 'typeorm/driver/types/IsolationLevel';
import { OutboundService } from '../outbound/outbound.service';
import { RealtimePublisher } from '../realtime/realtime.publisher';
import { RoutingSignals } from '../routing/routing-signals';
import { SlaTimersService } from '../sla/sla-timers.service';
import { WebhooksService } from '../webhooks/webhooks.service';
import { TicketEffects } from './ticket-effects';

/**
 * The one place where the effects of ticket changes leave the database: `transaction` runs the work with a fresh
 * TicketEffects and flushes it after commit; a rollback (the work throws) skips the flush, so nothing is
 * published, scheduled or sent for a change that never happened. Every effect is best effort after commit: the
 * database is the truth, and each one has a sweep behind it (SLA repair, webhook requeue, the routing sweep).
 */
@Injectable()
export class TicketEffectsPublisher {
  private readonly logger = new Logger(TicketEffectsPublisher.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly slaTimers: SlaTimersService,
    private readonly webhooks: WebhooksService,
    private readonly outbound: OutboundService,
    private readonly realtime: RealtimePublisher,
    private readonly routing: RoutingSignals,
  ) {}

  async transaction<T>(work: (m: EntityManager, effects: TicketEffects) => Promise<T>, isolation?: IsolationLevel): Promise<T> {
    const { result, sent } = await this.commit(work, isolation);
    await sent;
    return result;
  }

  /**
   * As `transaction`, but resolves at commit, with the effects still on their way (`sent`, which never rejects):
   * a caller that serves others in turn (a batch of replies) frees its connection's turn at commit, and each of
   * its callers still answers only once its own effects are sent.
   */
  async commit<T>(
    work: (m: EntityManager, effects: TicketEffects) => Promise<T>,
    isolation?: IsolationLevel,
  ): Promise<{ result: T; sent: Promise<void> }> {
    const effects = new TicketEffects();
    const result = isolation
      ? await this.dataSource.transaction(isolation, (m) => work(m, effects))
      : await this.dataSource.transaction((m) => work(m, effects));
    const sent = this.flush(effects).catch((error: unknown) => this.logger.warn({ err: error }, 'after commit: effects not all sent'));
    return { result, sent };
  }

  /** For work whose transaction the caller runs itself: call only once that transaction has committed. */
  async flush(effects: TicketEffects): Promise<void> {
    if (effects.empty) return;
    const changed = effects.changedTickets;
    // Side by side: none waits for another, and the caller's answer waits for the slowest, not for their sum.
    await Promise.all([
      this.safely('SLA timers', () => this.slaTimers.schedule(effects.timers)),
      this.safely('webhook deliveries', () => this.webhooks.enqueue(effects.webhookDeliveries)),
      this.safely('outbound messages', () => this.outbound.enqueue(effects.outboundMessages)),
      changed.size > 0
        ? this.safely('ticket events', () => this.realtime.ticketsChanged([...changed.keys()], (id) => changed.get(id) ?? 'changed'))
        : undefined,
      // One routing pass covers every reason; the reasons only name it in the logs.
      effects.routingReasons.size > 0
        ? this.safely('routing signal', () => this.routing.offerWork([...effects.routingReasons].sort().join(',')))
        : undefined,
    ]);
    for (const e of effects.agentEvents) this.realtime.toAgent(e.agentId, e.event, e.payload);
    for (const e of effects.supervisorEvents) this.realtime.toSupervisors(e.event, e.payload);
  }

  private async safely(what: string, effect: () => Promise<void>): Promise<void> {
    try {
      await effect();
    } catch (error) {
      this.logger.warn({ err: error }, `after commit: ${what} not sent; the sweep catches up`);
    }
  }
}
