import { parseClaim } from './chat-sessions.service';

describe('parseClaim', () => {
  it('reads a claim still being stored: its message id and since when', () => {
    expect(parseClaim('pending:6f1c2b9e-3a55-4a8e-9c1d-2f4b5a6c7d8e:1764850000000')).toEqual({
      messageId: '6f1c2b9e-3a55-4a8e-9c1d-2f4b5a6c7d8e',
      pendingSince: 1764850000000,
      raw: 'pending:6f1c2b9e-3a55-4a8e-9c1d-2f4b5a6c7d8e:1764850000000',
    });
  });

  it('reads a stored claim, and a claim written before claims had a state, as stored', () => {
    expect(parseClaim('6f1c2b9e-3a55-4a8e-9c1d-2f4b5a6c7d8e')).toEqual({
      messageId: '6f1c2b9e-3a55-4a8e-9c1d-2f4b5a6c7d8e',
      pendingSince: null,
      raw: '6f1c2b9e-3a55-4a8e-9c1d-2f4b5a6c7d8e',
    });
  });
});
