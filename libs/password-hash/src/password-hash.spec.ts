import { hashPassword, verifyPassword } from './password-hash';

const fast = { N: 2 ** 10, r: 8, p: 1 };

describe('password hashing', () => {
  it('verifies the right password and refuses a wrong one', async () => {
    const stored = await hashPassword('correct horse battery staple', fast);
    expect(stored).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    await expect(verifyPassword('correct horse battery staple', stored)).resolves.toBe(true);
    await expect(verifyPassword('correct horse battery stapl', stored)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    const a = await hashPassword('same password', fast);
    const b = await hashPassword('same password', fast);
    expect(a).not.toEqual(b);
  });

  it('treats Unicode-equivalent spellings of a Latvian password as the same', async () => {
    const composed = 'Šķūnis-2026'.normalize('NFC');
    const decomposed = composed.normalize('NFD');
    expect(composed).not.toEqual(decomposed);
    const stored = await hashPassword(composed, fast);
    await expect(verifyPassword(decomposed, stored)).resolves.toBe(true);
  });

  it('uses the memory-hard defaults when no parameters are given', async () => {
    const stored = await hashPassword('x'.repeat(12));
    expect(stored.startsWith('scrypt$32768$8$1$')).toBe(true);
  });

  it.each(['', 'plain', 'bcrypt$2b$10$abc', 'scrypt$0$8$1$AA==$AA==', 'scrypt$99999999$8$1$AA==$AA==', 'scrypt$1024$8$1$AA==$AA=='])(
    'refuses a stored value that is not a valid hash: %s',
    async (stored) => {
      await expect(verifyPassword('anything', stored)).resolves.toBe(false);
    },
  );
});
