import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { type HttpReply, type HttpRequest, pathOf } from '../../common/http';
import { validationProblem } from '../../common/problem';
import { NO_ACCESS_LOG } from '../../common/request-log';
import { makeTextStorable, unstorableTextPaths } from '../../common/storable-text';
import { TwilioSignature } from './twilio-signature';
import { TwilioParams, VoiceIvrService } from './voice-ivr.service';

export const TWILIO_PREFIX = '/v1/channels/voice/twilio';

type Step = (ivr: VoiceIvrService, p: TwilioParams, q: TwilioParams) => string | Promise<string>;
type QuietStep = (ivr: VoiceIvrService, p: TwilioParams) => Promise<void>;

/**
 * Twilio's requests. The number's voice URL is `incoming` and its status callback `status`; the TwiML App's
 * voice URL is `operator`; every other URL is one our own TwiML hands to Twilio. All are signed by Twilio.
 */
const TWIML_STEPS: Record<string, Step> = {
  incoming: (ivr, p) => ivr.incoming(p),
  language: (ivr, p, q) => ivr.language(p, q),
  menu: (ivr, p, q) => ivr.menuInput(p, q),
  choice: (ivr, p, q) => ivr.choice(p, q),
  'queue-wait': (ivr, p, q) => ivr.queueWait(p, q),
  'queue-leave': (ivr, p, q) => ivr.queueLeave(p, q),
  'queue-done': (ivr, p, q) => ivr.queueDone(p, q),
  csat: (ivr, p, q) => ivr.csat(p, q),
  'queue-answered': (ivr, p, q) => ivr.queueAnswered(p, q),
  'voicemail-done': (ivr, p, q) => ivr.voicemailDone(p, q),
  operator: (ivr, p) => ivr.operator(p),
};
/** Callbacks Twilio only reports to: answered with no content. */
const QUIET_STEPS: Record<string, QuietStep> = {
  'voicemail-recording': (ivr, p) => ivr.voicemailRecording(p),
  status: (ivr, p) => ivr.status(p),
};

/** Every path this file serves under TWILIO_PREFIX. */
export const TWILIO_STEPS = [...Object.keys(TWIML_STEPS), ...Object.keys(QUIET_STEPS)];

/**
 * The voice webhooks as plain Fastify routes. Every step of every call comes through here, and Nest's
 * per-request machinery (guards, pipes, interceptor chain, execution contexts) cost several times what the
 * step itself does; none of it is needed, since these routes take no token and no DTO. What it did for them is
 * done here the same way: the signature checked first (TwilioSignature), query text PostgreSQL cannot store
 * refused and body text made storable (as the global pipe does). The server-wide hooks still run (request id,
 * security headers, per-source limits, body parsing), and an error thrown here reaches the
 * error handler Nest installs, so it leaves as the same problem+json as from any controller.
 */
@Injectable()
export class VoiceWebhookRoutes implements OnModuleInit {
  private readonly logger = new Logger(VoiceWebhookRoutes.name);

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly signature: TwilioSignature,
    private readonly ivr: VoiceIvrService,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    // Twilio's requests are every step of every call: an access line (and a request logger) for each cost as much
    // as the step itself. An answer that went wrong is logged here instead, whatever refused it (a limit, the body
    // reader, the signature, the step).
    const onResponse = (req: HttpRequest, reply: HttpReply, done: () => void) => {
      if (reply.statusCode >= 400) {
        this.logger.warn(
          { req: { id: req.id, method: req.method, url: pathOf(req), remoteAddress: req.ip }, res: { statusCode: reply.statusCode } },
          'Twilio webhook not served',
        );
      }
      done();
    };
    for (const [name, step] of Object.entries(TWIML_STEPS)) {
      fastify.post(`${TWILIO_PREFIX}/${name}`, { onResponse, config: NO_ACCESS_LOG }, async (req: HttpRequest, reply: HttpReply) => {
        const [p, q] = this.accept(req);
        const twiml = await step(this.ivr, p, q);
        return reply.code(200).type('text/xml').send(twiml);
      });
    }
    for (const [name, step] of Object.entries(QUIET_STEPS)) {
      fastify.post(`${TWILIO_PREFIX}/${name}`, { onResponse, config: NO_ACCESS_LOG }, async (req: HttpRequest, reply: HttpReply) => {
        const [p] = this.accept(req);
        await step(this.ivr, p);
        return reply.code(204).send();
      });
    }
  }

  /** The signed body and the query, in the order Nest's guard and pipe took them. */
  private accept(req: HttpRequest): [TwilioParams, TwilioParams] {
    const body = this.signature.verify(req);
    const query = req.query as TwilioParams;
    const unstorable = unstorableTextPaths(query);
    if (unstorable.length > 0) {
      throw validationProblem(
        unstorable.map((field) => ({
          field,
          code: 'unstorableText',
          message: `${field} contains a NUL character or half of a surrogate pair`,
        })),
      );
    }
    return [makeTextStorable(body), query];
  }
}
