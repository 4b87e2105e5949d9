import { signDownloadToken, verifyDownloadToken } from './download-token';

const ID = '6f1c2f1e-2b9e-4f55-9a53-0d7f5d0c8a11';

describe('download tokens', () => {
  it('names the download it was signed for', () => {
    expect(verifyDownloadToken('secret-a', signDownloadToken('secret-a', ID))).toBe(ID);
  });

  it('refuses another secret, another id and anything malformed', () => {
    const token = signDownloadToken('secret-a', ID);
    expect(verifyDownloadToken('secret-b', token)).toBeNull();
    expect(verifyDownloadToken('secret-a', token.replace(ID, '6f1c2f1e-2b9e-4f55-9a53-0d7f5d0c8a12'))).toBeNull();
    expect(verifyDownloadToken('secret-a', `${token}.x`)).toBeNull();
    expect(verifyDownloadToken('secret-a', 'nonsense')).toBeNull();
  });
});
