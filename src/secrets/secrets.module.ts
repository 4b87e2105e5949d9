import { Global, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { SecretCipher } from './secret-cipher';
import { SecretsAtRestService } from './secrets-at-rest.service';

/**
 * Secrets at rest: the cipher every module that stores a secret uses, and the pass that seals what is still in
 * plaintext. It runs at every start (after the migrations): rows written by a version without encryption are
 * sealed on the first start of this one, and it costs one SELECT per secret table when there is nothing to do.
 */
@Global()
@Module({ providers: [SecretCipher, SecretsAtRestService], exports: [SecretCipher, SecretsAtRestService] })
export class SecretsModule implements OnApplicationBootstrap {
  private readonly logger = new Logger(SecretsModule.name);

  constructor(private readonly secrets: SecretsAtRestService) {}

  async onApplicationBootstrap(): Promise<void> {
    const reports = await this.secrets.resealAll();
    for (const r of reports) {
      if (r.sealed > 0) this.logger.log(`sealed ${r.sealed} stored secret(s) in ${r.table}.${r.column} under the current key`);
    }
  }
}
