import type { Settled } from '@lib/micro-batcher';
import type { OnApplicationShutdown } from '@nestjs/common';
import { Piscina } from 'piscina';
import { workerScript } from '../../common/worker-script';
import type { InboundAttachment, InboundMessage } from '../../inbound/inbound-message';
import type { MailboxContext } from './email-inbound-mapper';
import type { EmailParseTask } from './email-parse.worker';

export interface EmailParsePoolOptions {
  /** Worker threads (EMAIL_PARSE_THREADS). */
  threads: number;
  maxAttachmentBytes: number;
  /**
   * The longest one message may take, from the moment a thread is free for it (that includes starting a new one
   * after a crash). A message that takes longer (a parser caught in some pathological input) is rejected and its
   * thread replaced; the others go on.
   */
  timeoutMs?: number;
  /** Heap of each thread (see DEFAULT_MAX_HEAP_MB). */
  maxHeapMb?: number;
  /** Another script for the threads (the tests' one that can be made to crash); by default email-parse.worker. */
  worker?: { filename: string; execArgv?: string[] };
}

const DEFAULT_TIMEOUT_MS = 60_000;
/**
 * Several times what mailparser and the sanitiser need for the largest mail a server accepts (≈50 MB). A thread
 * that reaches it is usually ended alone (ERR_WORKER_OUT_OF_MEMORY, the message rejected); for some shapes of
 * allocation Node aborts the whole process instead (nodejs/node#47224), as it would without threads, so this is a
 * second line behind the parser's own limits (1000 parts, a 1 MB header, attachment sizes), not a replacement.
 */
const DEFAULT_MAX_HEAP_MB = 1024;

/**
 * Parses raw e-mail (libs/mime) and maps it to InboundMessage in a pool of worker threads, so that MIME decoding,
 * charset conversion and HTML sanitising never hold up the thread that serves HTTP and runs the queues. Each
 * message is a task of its own: a message that crashes its thread or exceeds the time limit fails alone (rejected,
 * as a message the parser refuses is), and piscina starts a new thread for the others.
 *
 * Messages are handed to piscina only as threads become free, so that the time limit counts a message's own
 * parsing, never its wait behind others.
 */
export class EmailParsePool implements OnApplicationShutdown {
  private pool: Piscina<EmailParseTask, InboundMessage> | null = null;
  private readonly timeoutMs: number;
  private readonly waiting: Array<() => void> = [];
  private running = 0;
  private closed = false;

  constructor(private readonly options: EmailParsePoolOptions) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /**
   * Starts the threads (once; parse does it too). Called when a mailbox is first watched, so that their start
   * (loading mailparser and the sanitiser: a second or more on a busy machine) is not the first chunk's wait, and so
   * that a process that watches no mailbox starts none.
   */
  start(): void {
    if (this.pool || this.closed) return;
    const { filename, execArgv } = this.options.worker ?? workerScript(__filename, __dirname, 'email-parse.worker');
    this.pool = new Piscina({
      filename,
      execArgv,
      minThreads: this.options.threads,
      maxThreads: this.options.threads,
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb ?? DEFAULT_MAX_HEAP_MB },
    });
  }

  /** Never rejects: a message that cannot be read is `{ ok: false }` with the reason. */
  async parse(source: Buffer, mailbox: MailboxContext): Promise<Settled<InboundMessage>> {
    if (this.closed) return { ok: false, error: new Error('the e-mail parser pool is closed') };
    this.start();
    await this.slot();
    try {
      if (!this.pool) throw new Error('the e-mail parser pool is closed');
      // A copy of exactly the message's bytes, moved (not copied again) into the thread: a Buffer from imapflow
      // may be a view into a larger allocation, all of which a structured clone would copy.
      const bytes = new Uint8Array(source);
      // Only what the mapper reads: the settings a watcher passes also hold the mailbox's password.
      const context: MailboxContext = {
        name: mailbox.name,
        address: mailbox.address,
        institutionCode: mailbox.institutionCode,
        referencePrefix: mailbox.referencePrefix,
      };
      const message = await this.pool.run(
        { source: bytes, mailbox: context, maxAttachmentBytes: this.options.maxAttachmentBytes },
        { transferList: [bytes.buffer], signal: AbortSignal.timeout(this.timeoutMs) },
      );
      return { ok: true, value: withBuffers(message) };
    } catch (error) {
      return { ok: false, error: asReason(error, this.timeoutMs) };
    } finally {
      this.release();
    }
  }

  /** At shutdown, after the watchers stopped (EmailIngestService, before shutdown) with their last chunk parsed. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const wake of this.waiting.splice(0)) wake();
    const pool = this.pool;
    this.pool = null;
    await pool?.destroy();
  }

  private async slot(): Promise<void> {
    if (this.running < this.options.threads) {
      this.running++;
      return;
    }
    // The slot is handed over by release(), so `running` stays counted for the woken task.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}

/** Buffers cross the thread boundary as plain Uint8Arrays; the pipeline (pg, hashing) wants Buffers. */
function withBuffers(message: InboundMessage): InboundMessage {
  if (!message.attachments?.length) return message;
  const attachments: InboundAttachment[] = message.attachments.map((a) => {
    const content = a.content as Uint8Array;
    return { ...a, content: Buffer.from(content.buffer, content.byteOffset, content.byteLength) };
  });
  return { ...message, attachments };
}

function asReason(error: unknown, timeoutMs: number): Error {
  const name = (error as { name?: string } | null)?.name;
  if (name === 'AbortError' || name === 'TimeoutError') return new Error(`parsing took longer than ${timeoutMs} ms`);
  return error instanceof Error ? error : new Error(String(error));
}
