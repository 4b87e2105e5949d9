import { pick } from '@lib/simulated-day';

/** Language (1 lv, 2 en, 3 ru), institution, then an answer (self-served) or 0 for an operator. */
const SCRIPTS = [
  ['1', '2', '2'],
  ['1', '1', '1'],
  ['2', '3', '1'],
  ['3', '4', '1'],
  ['1', '2', '0'],
  ['1', '1', '0'],
  ['3', '1', '0'],
];

/**
 * One caller walking the IVR the way Twilio drives it: the incoming call, a digit for each menu the TwiML gathers
 * on (following its `action`), and the call's end. `step` posts one signed webhook and returns the TwiML answered.
 */
export async function walkIvr(
  step: (url: string, params: Record<string, string>) => Promise<string>,
  publicBaseUrl: string,
  params: (extra: Record<string, string>) => Record<string, string>,
  random: () => number,
): Promise<void> {
  let twiml = await step(`${publicBaseUrl}/v1/channels/voice/twilio/incoming`, params({ CallStatus: 'ringing' }));
  for (const digit of pick(random, SCRIPTS)) {
    const action = /<Gather[^>]* action="([^"]+)"/.exec(twiml)?.[1]?.replace(/&amp;/g, '&');
    if (!action) break;
    twiml = await step(action, params({ CallStatus: 'in-progress', Digits: digit }));
  }
  await step(
    `${publicBaseUrl}/v1/channels/voice/twilio/status`,
    params({ CallStatus: 'completed', CallDuration: String(30 + Math.floor(random() * 240)) }),
  );
}
