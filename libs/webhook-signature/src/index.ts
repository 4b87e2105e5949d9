export * from './timestamped-hmac';
