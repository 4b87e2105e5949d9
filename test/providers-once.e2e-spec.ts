import { WorkerHost } from '@nestjs/bullmq';
import { INestApplication } from '@nestjs/common';
import { QueueProcessor } from '../src/common/queue-processor';
import { TestEnv } from './support/test-env';

/** Every provider instance of the running application, by the class or token it was registered under. */
function instancesByToken(app: INestApplication): Map<string, Set<unknown>> {
  const container = (
    app as unknown as { container: { getModules(): Map<string, { providers: Map<unknown, { instance: unknown; metatype: unknown }> }> } }
  ).container;
  const found = new Map<string, Set<unknown>>();
  for (const module of container.getModules().values()) {
    for (const [token, wrapper] of module.providers) {
      // Nest's own per-module providers (the module class, its ref, the request) exist once per module by design.
      if (typeof token !== 'function' || !wrapper.instance || wrapper.metatype === module.constructor) continue;
      const name = (token as { name: string }).name;
      if (
        [
          'ModuleRef',
          'ApplicationConfig',
          'Reflector',
          'HttpAdapterHost',
          'LazyModuleLoader',
          'ExternalContextCreator',
          'ModulesContainer',
          'SerializedGraph',
        ].includes(name)
      )
        continue;
      // Dynamic modules (TypeOrmModule.forFeature, BullModule.registerQueue) are configuration, one per use.
      if (name.endsWith('Module')) continue;
      if (!found.has(name)) found.set(name, new Set());
      found.get(name)!.add(wrapper.instance);
    }
  }
  return found;
}

describe('one process running every role (APP_ROLE=all)', () => {
  const env = new TestEnv();
  let app: INestApplication;

  beforeAll(async () => {
    app = await env.startApi({ APP_ROLE: 'all' });
  });
  afterAll(() => env.teardown());

  it('makes one instance of each service, so each holds one Redis connection and one timer', () => {
    const instances = instancesByToken(app);
    const twice = [...instances].filter(([, set]) => set.size > 1).map(([name, set]) => `${name} ×${set.size}`);
    expect(twice).toEqual([]);
    // The ones that were made twice before, by name, so a rename does not make this test vacuous.
    for (const name of [
      'ChatSessionsService',
      'ChatRelay',
      'BoardService',
      'WebhooksService',
      'SubjectRequestsService',
      'RetentionService',
      'InboundService',
    ]) {
      expect([name, instances.get(name)?.size]).toEqual([name, 1]);
    }
  });

  it('runs every BullMQ processor on the one base (error listener, graceful close, schedulers)', () => {
    const processors = [...instancesByToken(app)].filter(([, set]) => [...set].some((i) => i instanceof WorkerHost));
    const offBase = processors.filter(([, set]) => [...set].some((i) => !(i instanceof QueueProcessor))).map(([name]) => name);
    expect(offBase).toEqual([]);
    // The last one moved onto the base, by name, so the check is known to see the processors at all.
    expect(processors.map(([name]) => name)).toEqual(
      expect.arrayContaining(['FileScanProcessor', 'InboundProcessor', 'SlaTimerProcessor']),
    );
  });
});
