export * from './timestamped-hmac';
export * from './hub-signature';
