/**
 * The password rules for staff accounts (NIST SP 800-63B style): long rather than complicated, not built from
 * the account's own name, not one of the passwords everyone tries first. Returns what is wrong, empty when fine.
 */
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 1024;

const COMMON = new Set([
  'password1234',
  'passwordpassword',
  '123456789012',
  '1234567890123',
  'qwertyuiop12',
  'qwertyuiopas',
  '111111111111',
  'parole123456',
  'parole1234567',
  'administrator',
  'administrators',
  'letmeinletmein',
  'welcome12345',
  'iloveyou1234',
  'abcdefghijkl',
  'abc123abc123',
  'changeme1234',
  'changemechangeme',
  'latvija12345',
  'riga12345678',
  'vpppd1234567',
]);

export function passwordPolicyProblems(password: string, context: { email?: string } = {}): string[] {
  const problems: string[] = [];
  const chars = [...password.normalize('NFKC')];
  if (chars.length < MIN_PASSWORD_LENGTH) problems.push(`must be at least ${MIN_PASSWORD_LENGTH} characters`);
  if (chars.length > MAX_PASSWORD_LENGTH) problems.push(`must be at most ${MAX_PASSWORD_LENGTH} characters`);
  if (new Set(chars).size <= 2) problems.push('must not repeat one or two characters');
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) problems.push('is one of the most common passwords');
  const local = context.email?.split('@')[0]?.toLowerCase();
  if (local && local.length >= 4 && lower.includes(local)) problems.push('must not contain the e-mail name');
  return problems;
}
