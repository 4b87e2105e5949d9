import { ownRecordingPath } from './recording-fetcher';

const ACCOUNT = `AC${'a1'.repeat(16)}`;
const RECORDING = `RE${'f6'.repeat(16)}`;

describe('ownRecordingPath', () => {
  it("takes this account's recordings on Twilio's API, as Twilio names them", () => {
    expect(ownRecordingPath(`https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Recordings/${RECORDING}`, ACCOUNT)).toBe(
      `/2010-04-01/Accounts/${ACCOUNT}/Recordings/${RECORDING}`,
    );
  });

  it('refuses any other host, account, scheme or shape, so the credentials go nowhere else', () => {
    const other = `AC${'b2'.repeat(16)}`;
    for (const url of [
      `https://evil.example/2010-04-01/Accounts/${ACCOUNT}/Recordings/${RECORDING}`,
      `https://api.twilio.com.evil.example/2010-04-01/Accounts/${ACCOUNT}/Recordings/${RECORDING}`,
      `http://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Recordings/${RECORDING}`,
      `https://api.twilio.com/2010-04-01/Accounts/${other}/Recordings/${RECORDING}`,
      `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Calls/CA${'c3'.repeat(16)}`,
      `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Recordings/${RECORDING}?redirect=https://evil.example`,
      `https://user@api.twilio.com/2010-04-01/Accounts/${ACCOUNT}/Recordings/${RECORDING}`,
      'not a url',
    ]) {
      expect([url, ownRecordingPath(url, ACCOUNT)]).toEqual([url, null]);
    }
  });
});
