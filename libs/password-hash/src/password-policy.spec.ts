import { passwordPolicyProblems } from './password-policy';

describe('passwordPolicyProblems', () => {
  it('accepts a long passphrase, Latvian letters included', () => {
    expect(passwordPolicyProblems('zaļš kaķis lec pār sētu', { email: 'anna@vpppd.lv' })).toEqual([]);
  });

  it.each([
    ['short', 'must be at least 12 characters'],
    ['aaaaaaaaaaaaaaaa', 'must not repeat one or two characters'],
    ['abababababababab', 'must not repeat one or two characters'],
    ['Password1234', 'is one of the most common passwords'],
    ['x'.repeat(1025) + 'yz', 'must be at most 1024 characters'],
  ])('refuses %s', (password, problem) => {
    expect(passwordPolicyProblems(password)).toContain(problem);
  });

  it("refuses a password built from the account's e-mail name", () => {
    expect(passwordPolicyProblems('janis.berzins-2026', { email: 'janis.berzins@vid.gov.lv' })).toEqual([
      'must not contain the e-mail name',
    ]);
  });

  it('counts characters, not UTF-16 units', () => {
    expect(passwordPolicyProblems('ķēķis-ūdens')).toEqual(['must be at least 12 characters']); // 11 letters
  });
});
