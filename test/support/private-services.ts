// Shared with the benchmarks (npm run bench:soak starts the same topology): the code lives in bench/support/servers.
export * from '../../bench/support/servers/private-services';
