export * from './startup-retry';
