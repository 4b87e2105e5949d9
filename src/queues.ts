/** Every BullMQ queue, named for the work it does. */
export enum QueueName {
  Inbound = 'inbound',
}

/** Job names within the queues. */
export enum JobName {
  InboundMessage = 'inbound-message',
}
