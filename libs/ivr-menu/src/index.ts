export * from './ivr-menu';
