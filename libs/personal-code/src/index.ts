export { parsePersonalCode, isValidPersonalCode, normalizePersonalCode, maskPersonalCode, legacyCheckDigit } from './personal-code';
export type { ParsedPersonalCode, PersonalCodeForm, PersonalCodeOptions } from './personal-code';
