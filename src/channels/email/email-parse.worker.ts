import { parseEmail } from '@lib/mime';
import type { InboundMessage } from '../../inbound/inbound-message';
import { emailToInbound, MailboxContext } from './email-inbound-mapper';

export interface EmailParseTask {
  /** The raw message as fetched (a Buffer arrives in the thread as a plain Uint8Array). */
  source: Uint8Array;
  mailbox: MailboxContext;
  maxAttachmentBytes: number;
}

/**
 * Runs in a worker thread of EmailParsePool: one raw message in, the pipeline's InboundMessage out. Pure code
 * only (libs/mime and the mapper): nothing here may need the Nest application or a connection.
 */
export default async function parseEmailTask(task: EmailParseTask): Promise<InboundMessage> {
  const source = Buffer.from(task.source.buffer, task.source.byteOffset, task.source.byteLength);
  const parsed = await parseEmail(source, { maxAttachmentBytes: task.maxAttachmentBytes });
  return emailToInbound(parsed, task.mailbox);
}
