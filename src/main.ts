import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig, ConfigError, loadConfig } from './config/app-config';
import { configureHttp, httpAdapter } from './http-setup';

async function bootstrap(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG: a supervisor should not restart this in a loop
    }
    throw error;
  }

  // Every role is an HTTP application: a worker serves only /health and /metrics.
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), httpAdapter(config), {
    bodyParser: false,
    bufferLogs: true,
  });
  configureHttp(app);
  await app.listen(config.PORT, '0.0.0.0');
  app.get(Logger).log(`role ${config.APP_ROLE} listening on port ${config.PORT}`, 'Bootstrap');
}

void bootstrap();
