import { SlaTimerBatch } from '../sla/sla-timer-batch';
import type { TicketEventKind } from '../realtime/realtime.publisher';

/**
 * What a transaction that changes tickets wants done once it has committed — and never if it rolls back: the
 * tickets whose new state everyone who may see them should get, SLA timers to (re)schedule, webhook deliveries
 * and outbound messages to enqueue, a routing pass to ask for, and events for particular agents or the
 * supervisors. A change only adds to this collector; TicketEffectsPublisher runs the transaction and flushes it
 * once after commit. A collector passed along (rather than domain events with listeners) keeps what a change
 * causes visible at its call site and makes "dropped on rollback" a matter of never reaching the flush.
 */
export class TicketEffects {
  readonly timers = new SlaTimerBatch();
  readonly webhookDeliveries: string[] = [];
  readonly outboundMessages: string[] = [];
  readonly routingReasons = new Set<string>();
  readonly agentEvents: Array<{ agentId: string; event: string; payload: unknown }> = [];
  readonly supervisorEvents: Array<{ event: string; payload: unknown }> = [];
  private readonly changes = new Map<string, TicketEventKind>();

  /** A ticket first `created` in this transaction stays `created`; otherwise the latest kind wins. */
  ticketsChanged(ticketIds: Iterable<string>, kind: TicketEventKind = 'changed'): void {
    for (const id of ticketIds) if (this.changes.get(id) !== 'created') this.changes.set(id, kind);
  }

  /** Waiting work may be offered now: new work arrived, work went back to a queue, or someone's capacity was freed. */
  offerWork(reason: string): void {
    this.routingReasons.add(reason);
  }

  webhooks(deliveryIds: string[]): void {
    this.webhookDeliveries.push(...deliveryIds);
  }

  outbound(messageIds: Array<string | null | undefined>): void {
    for (const id of messageIds) if (id) this.outboundMessages.push(id);
  }

  toAgent(agentId: string, event: string, payload: unknown): void {
    this.agentEvents.push({ agentId, event, payload });
  }

  toSupervisors(event: string, payload: unknown): void {
    this.supervisorEvents.push({ event, payload });
  }

  get changedTickets(): ReadonlyMap<string, TicketEventKind> {
    return this.changes;
  }

  get empty(): boolean {
    return (
      this.timers.empty &&
      this.webhookDeliveries.length === 0 &&
      this.outboundMessages.length === 0 &&
      this.routingReasons.size === 0 &&
      this.agentEvents.length === 0 &&
      this.supervisorEvents.length === 0 &&
      this.changes.size === 0
    );
  }
}
