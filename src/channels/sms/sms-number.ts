/**
 * Whether a caller's number can take an SMS. Latvian numbers tell by their first digit (2: mobile; 6: landline, 8:
 * free-phone, 9: premium); a foreign number cannot be told without asking a lookup service, so it is tried (a
 * landline refuses it, and the outbound queue records that as a failure of the notice, nothing else).
 */
export function canTakeSms(number: string | null | undefined): number is string {
  if (!number || !/^\+[1-9]\d{6,14}$/.test(number)) return false;
  if (number.startsWith('+371')) return /^\+3712\d{7}$/.test(number);
  return true;
}
