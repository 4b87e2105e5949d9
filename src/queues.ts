/** Every BullMQ queue, named for the work it does. */
export enum QueueName {
  Inbound = 'inbound',
  Outbound = 'outbound',
  Webhooks = 'webhooks',
  Sla = 'sla',
}

/** Job names within the queues. */
export enum JobName {
  InboundMessage = 'inbound-message',
  SendMessage = 'send-message',
  DeliverWebhook = 'deliver-webhook',
  SlaTimer = 'sla-timer',
}
