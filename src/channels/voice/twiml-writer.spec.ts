import { MENU_LANGUAGES, MenuNode } from '@lib/ivr-menu';
import twilio from 'twilio';
import { IvrTwiml, TwimlSettings } from './ivr-twiml';
import { TwimlResponse, TwimlWriter } from './twiml-writer';

// twilio's own builder is the reference: every document must come out of TwimlWriter with the same bytes.
const viaTwilio = () => new twilio.twiml.VoiceResponse() as unknown as TwimlResponse;

const settings: TwimlSettings = {
  publicBaseUrl: 'https://voice.example.lv',
  languages: MENU_LANGUAGES,
  gatherTimeoutSeconds: 6,
  voicemailMaxSeconds: 90,
};

// Texts an administrator may type into the menu: every character XML escapes somewhere, in text and in URLs.
const awkward = 'Tēma "A&B" <jauna> \'x\'\ttab\r\nrinda';
const nodes: MenuNode[] = [
  {
    key: 'main',
    parentKey: null,
    digit: null,
    kind: 'menu',
    title: {},
    prompt: { lv: { text: awkward }, en: { audioUrl: 'https://cdn.example.lv/a.mp3?x=1&y="2"' }, ru: { text: '' } },
  },
  { key: 'vid', parentKey: 'main', digit: '2', kind: 'answer', title: { lv: awkward, en: 'taxes' }, prompt: { lv: { text: 'EDS.' } } },
  { key: 'op', parentKey: 'main', digit: '1', kind: 'operator', title: {}, prompt: {} },
];

function documents(twiml: IvrTwiml): string[] {
  const docs: string[] = [];
  for (const language of MENU_LANGUAGES) {
    for (const tries of [0, 1]) {
      const where = { language, node: 'main', path: ['language:lv', 'invalid:9', `x&y"${tries}`], tries };
      docs.push(twiml.menu(nodes, nodes[0], where), twiml.menu(nodes, nodes[0], where, awkward));
      docs.push(twiml.answer(nodes[1], where), twiml.answer(nodes[1], where, 'Nepareizi.'));
      docs.push(twiml.languageMenu(where.path, tries), twiml.languageMenu([], tries, awkward));
      docs.push(twiml.noOperator(language, 'closed', tries, 'pirmdien 08:30'), twiml.noOperator(language, 'trouble', tries, null, awkward));
    }
    docs.push(twiml.csatSurvey(language), twiml.goodbye(language), twiml.goodbye(language, awkward));
    docs.push(twiml.enqueue(language, `${language}-VID&<x>`), twiml.wait(language, 3, 4, false), twiml.wait(language, 1, 1, true));
    docs.push(twiml.keepWaiting(language), twiml.voicemail(language), twiml.voicemail(language, awkward));
    docs.push(twiml.callbackConfirmed(language, '+37120000000'), twiml.connecting(language));
  }
  docs.push(twiml.leaveQueue(), twiml.dialQueue('lv-VID&"', '0f8fad5b-d9cb-469f-a165-70867728950e'));
  docs.push(twiml.operatorNotice(awkward), twiml.hangup(), twiml.empty());
  return docs;
}

describe('TwimlWriter', () => {
  it("writes every document of the IVR with the same bytes as twilio's VoiceResponse", () => {
    const ours = documents(new IvrTwiml(settings));
    const theirs = documents(new IvrTwiml(settings, viaTwilio));
    expect(ours).toHaveLength(theirs.length);
    ours.forEach((doc, i) => expect(doc).toBe(theirs[i]));
  });

  it('writes the same with hold music, and an empty text as an empty element', () => {
    const withMusic = { ...settings, holdMusicUrl: 'https://cdn.example.lv/hold.mp3?a=1&b=2' };
    expect(new IvrTwiml(withMusic).wait('lv', 2, 3, true)).toBe(new IvrTwiml(withMusic, viaTwilio).wait('lv', 2, 3, true));
    const ours = new TwimlWriter();
    const theirs = viaTwilio();
    for (const response of [ours, theirs]) {
      response.say({ language: 'lv-LV' }, '');
      response.gather({ input: ['dtmf', 'speech'], numDigits: 1, hints: undefined, actionOnEmptyResult: false });
      response.pause({ length: 0 });
    }
    expect(ours.toString()).toBe(theirs.toString());
  });

  it('refuses text XML cannot carry, as twilio does', () => {
    const writer = new TwimlWriter();
    expect(() => writer.say({}, 'a\u0001b')).toThrow(/Invalid character/);
    expect(() => viaTwilio().say({}, 'a\u0001b')).toThrow(/Invalid character/);
  });
});
