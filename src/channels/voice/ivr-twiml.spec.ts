import { MenuNode } from '@lib/ivr-menu';
import { XMLParser } from 'fast-xml-parser';
import { IvrTwiml } from './ivr-twiml';
import { callOutcome, CallRow } from './call-record';
import { agentIdFromIdentity, identityForAgent } from './voice-ivr.service';
import { expectedWaitMinutes, spokenOpening } from './voice-phrases';

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' });
const twiml = new IvrTwiml({
  publicBaseUrl: 'https://voice.example.lv',
  languages: ['lv', 'en'],
  gatherTimeoutSeconds: 6,
  voicemailMaxSeconds: 90,
});

const nodes: MenuNode[] = [
  {
    key: 'main',
    parentKey: null,
    digit: null,
    kind: 'menu',
    title: {},
    prompt: { lv: { text: 'Labdien!' }, en: { audioUrl: 'https://cdn.example.lv/hello-en.mp3' } },
  },
  {
    key: 'vid',
    parentKey: 'main',
    digit: '2',
    kind: 'answer',
    institutionCode: 'VID',
    title: { lv: 'nodokļi', en: 'taxes' },
    prompt: { lv: { text: 'EDS.' }, en: { text: 'EDS.' } },
  },
  {
    key: 'vsaa',
    parentKey: 'main',
    digit: '1',
    kind: 'operator',
    institutionCode: 'VSAA',
    title: { lv: 'pensijas', en: 'pensions' },
    prompt: {},
  },
];

describe('IvrTwiml', () => {
  it('announces a menu from its data: the prompt, each choice by digit, then 0 and *', () => {
    const doc = parser.parse(twiml.menu(nodes, nodes[0], { language: 'lv', node: 'main', path: ['language:lv'], tries: 0 }));
    const gather = doc.Response.Gather;
    expect(gather).toMatchObject({
      numDigits: '1',
      timeout: '6',
      actionOnEmptyResult: 'true',
      language: 'lv-LV',
      action: 'https://voice.example.lv/v1/channels/voice/twilio/menu?n=main&l=lv&p=language%3Alv&t=0',
    });
    expect(gather.Say.map((s: { '#text': string }) => s['#text'])).toEqual([
      'Labdien!',
      'Pensijas – spiediet 1.',
      'Nodokļi – spiediet 2.',
      expect.stringContaining('spiediet 0'),
    ]);
  });

  it('plays a recording instead of reading the text when the menu has one', () => {
    const doc = parser.parse(twiml.menu(nodes, nodes[0], { language: 'en', node: 'main', path: ['language:en'], tries: 0 }));
    expect(doc.Response.Gather.Play).toBe('https://cdn.example.lv/hello-en.mp3');
    expect(doc.Response.Gather.Say[0]).toMatchObject({ '#text': 'For pensions, press 1.', language: 'en-GB' });
  });

  it('records a voicemail with its status callback, and queues with a wait URL', () => {
    const record = parser.parse(twiml.voicemail('lv')).Response.Record;
    expect(record).toMatchObject({
      maxLength: '90',
      finishOnKey: '#',
      recordingStatusCallback: 'https://voice.example.lv/v1/channels/voice/twilio/voicemail-recording?l=lv',
    });
    const enqueue = parser.parse(twiml.enqueue('en', 'en-VID')).Response.Enqueue;
    expect(enqueue).toMatchObject({ '#text': 'en-VID', waitUrl: 'https://voice.example.lv/v1/channels/voice/twilio/queue-wait?l=en' });
  });

  it('offers a way out of the queue only after the longest wait', () => {
    expect(parser.parse(twiml.wait('lv', 2, 3, false)).Response.Gather).toBeUndefined();
    expect(parser.parse(twiml.wait('lv', 2, 3, true)).Response.Gather.action).toContain('/queue-leave?l=lv');
  });
});

describe('voice helpers', () => {
  it('estimates the wait from the queue average, never below a minute per caller ahead', () => {
    expect(expectedWaitMinutes(1, 0, 0)).toBe(1);
    expect(expectedWaitMinutes(3, 240, 30)).toBe(4);
    expect(expectedWaitMinutes(6, 60, 30)).toBe(5);
  });

  it('says when operators are back in words', () => {
    const now = new Date('2026-11-27T18:00:00Z'); // Friday 20:00 in Riga
    expect(spokenOpening(new Date('2026-11-30T06:30:00Z'), now, 'lv')).toMatch(/^pirmdiena, 30\. novembris plkst\. 08:30$/);
    expect(spokenOpening(new Date('2026-11-28T06:30:00Z'), now, 'en')).toBe('tomorrow at 08:30');
  });

  it('turns an agent id into a Voice SDK identity and back', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(identityForAgent(id)).toBe('agent_0f8fad5bd9cb469fa16570867728950e');
    expect(agentIdFromIdentity(identityForAgent(id))).toBe(id);
    expect(agentIdFromIdentity('agent_x')).toBeNull();
  });

  it('names how a call ended from what happened in it', () => {
    const call = { answered_at: null, choice: null, recording_url: null, enqueued_at: null, heard_answer: false } as unknown as CallRow;
    expect(callOutcome({ ...call, heard_answer: true }, 'completed')).toBe('self_served');
    expect(callOutcome({ ...call, heard_answer: true, enqueued_at: new Date() }, 'completed')).toBe('abandoned');
    expect(callOutcome({ ...call, enqueued_at: new Date(), answered_at: new Date() }, 'completed')).toBe('answered');
    expect(callOutcome({ ...call, choice: 'voicemail', recording_url: 'https://x' }, 'completed')).toBe('voicemail');
    expect(callOutcome({ ...call, choice: 'voicemail' }, 'completed')).toBe('abandoned');
    expect(callOutcome({ ...call, choice: 'callback' }, 'completed')).toBe('callback_requested');
    expect(callOutcome(call, 'busy')).toBe('busy');
    expect(callOutcome(call, 'no-answer')).toBe('no_answer');
    expect(callOutcome(call, 'failed')).toBe('failed');
  });
});
