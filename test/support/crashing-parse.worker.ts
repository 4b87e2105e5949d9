import parseEmailTask, { EmailParseTask } from '../../src/channels/email/email-parse.worker';
import type { InboundMessage } from '../../src/inbound/inbound-message';

/**
 * The real parse worker, except that a message carrying `X-Test-Crash: exit` ends its thread (process.exit in a
 * worker thread ends only that thread) and one carrying `X-Test-Crash: throw` throws outside the task, as a bug
 * in a parser callback would: the ways a thread dies that no try/catch around the parse can catch.
 */
export default async function crashingParseTask(task: EmailParseTask): Promise<InboundMessage> {
  const head = Buffer.from(task.source).subarray(0, 4096).toString('latin1');
  if (/^X-Test-Crash: exit$/m.test(head)) process.exit(70);
  if (/^X-Test-Crash: throw$/m.test(head)) {
    setImmediate(() => {
      throw new Error('a parser callback threw');
    });
    return new Promise<InboundMessage>(() => undefined);
  }
  return parseEmailTask(task);
}
