/** Every BullMQ queue, named for the work it does. */
export enum QueueName {
  Inbound = 'inbound',
  Outbound = 'outbound',
  Webhooks = 'webhooks',
  Routing = 'routing',
  Sla = 'sla',
  Supervision = 'supervision',
}

/** Job names within the queues. */
export enum JobName {
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
}
