export * from './sharded-emitter';
