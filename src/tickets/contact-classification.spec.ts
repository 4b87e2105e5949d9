import type { Classification } from '@lib/contact-classifier';
import type { AcceptedEvent } from '../inbound/inbound-message';
import { contactLabels } from './contact-classification';

const message = (m: Partial<AcceptedEvent['message']>): AcceptedEvent['message'] => ({
  channel: 'email',
  externalId: 'x',
  from: { identifiers: [] },
  text: 'Kā pieteikties vecuma pensijai?',
  attachmentIds: [],
  ...m,
});
const predicted = (c: Partial<Classification>): Classification => ({
  modelVersion: 7,
  language: 'lv',
  institution: 'VSAA',
  institutionConfidence: 0.9,
  topic: 'vecuma pensija',
  topicConfidence: 0.8,
  kind: 'consultation',
  kindConfidence: 0.9,
  knownTerms: 3,
  ...c,
});

describe('contactLabels', () => {
  it('takes the predicted institution, topic and kind of a free-text contact the channel says nothing of', () => {
    expect(contactLabels(message({}), () => predicted({}), 0.3)).toEqual({
      institutionCode: 'VSAA',
      topic: 'vecuma pensija',
      kind: 'consultation',
      classifierVersion: 7,
      classifierConfidence: 0.9,
      unclassified: false,
    });
  });

  it('leaves the institution and topic empty below the threshold, and marks the contact unclassified', () => {
    expect(contactLabels(message({}), () => predicted({ institutionConfidence: 0.2 }), 0.3)).toMatchObject({
      institutionCode: undefined,
      topic: undefined,
      unclassified: true,
      classifierVersion: 7,
      classifierConfidence: 0.2,
    });
  });

  it("keeps the channel's institution (a mailbox of VID) and takes a topic only of that institution", () => {
    expect(contactLabels(message({ institutionCode: 'VID' }), () => predicted({}), 0.3)).toMatchObject({
      institutionCode: 'VID',
      topic: undefined,
      unclassified: false,
    });
    expect(contactLabels(message({ institutionCode: 'VSAA' }), () => predicted({}), 0.3)).toMatchObject({
      institutionCode: 'VSAA',
      topic: 'vecuma pensija',
    });
  });

  it('classifies nothing the channel already labelled in full, a contact staff logged, or a chat still with the assistant', () => {
    const never = () => {
      throw new Error('must not classify');
    };
    expect(
      contactLabels(message({ channel: 'webform', institutionCode: 'VID', topic: 'EDS', kind: 'application' }), never, 0.3)
        .classifierVersion,
    ).toBeNull();
    expect(contactLabels(message({ loggedBy: { agentId: 'a', resolved: true } }), never, 0.3).classifierVersion).toBeNull();
    expect(contactLabels(message({ channel: 'chat', atLevelZero: true }), never, 0.3).classifierVersion).toBeNull();
    expect(contactLabels(message({ channel: 'voice' }), never, 0.3).classifierVersion).toBeNull();
    expect(
      contactLabels(message({ channel: 'chat', atLevelZero: true, handOver: { summary: 's', comment: 'c' } }), () => predicted({}), 0.3)
        .institutionCode,
    ).toBe('VSAA');
  });
});
