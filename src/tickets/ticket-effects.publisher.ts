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
    const effects = new TicketEffects();
    const result = isolation
      ? await this.dataSource.transaction(isolation, (m) => work(m, effects))
      : await this.dataSource.transaction((m) => work(m, effects));
    await this.flush(effects);
    return result;
  }

  /** For work whose transaction the caller runs itself: call only once that transaction has committed. */
  async flush(effects: TicketEffects): Promise<void> {
    if (effects.empty) return;
    await this.safely('SLA timers', () => this.slaTimers.schedule(effects.timers));
    await this.safely('webhook deliveries', () => this.webhooks.enqueue(effects.webhookDeliveries));
    await this.safely('outbound messages', () => this.outbound.enqueue(effects.outboundMessages));
    const changed = effects.changedTickets;
    if (changed.size > 0)
      await this.safely('ticket events', () => this.realtime.ticketsChanged([...changed.keys()], (id) => changed.get(id) ?? 'changed'));
    for (const e of effects.agentEvents) this.realtime.toAgent(e.agentId, e.event, e.payload);
    for (const e of effects.supervisorEvents) this.realtime.toSupervisors(e.event, e.payload);
    // One routing pass covers every reason; the reasons only name it in the logs.
    if (effects.routingReasons.size > 0)
      await this.safely('routing signal', () => this.routing.offerWork([...effects.routingReasons].sort().join(',')));
  }

  private async safely(what: string, effect: () => Promise<void>): Promise<void> {
    try {
      await effect();
    } catch (error) {
      this.logger.warn({ err: error }, `after commit: ${what} not sent; the sweep catches up`);
    }
  }
}
