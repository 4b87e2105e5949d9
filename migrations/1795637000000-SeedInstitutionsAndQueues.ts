import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The institutions VPPPD and VPVKAC serve, and the queues contacts are routed to: one general queue and one
 * level-1 queue per institution that takes cases. Police and fire-and-rescue only take referrals, so they get
 * no queue: contacts for them are routed on from the general queue.
 */
const INSTITUTIONS: Array<[code: string, nameLv: string, nameEn: string, kind: string, acceptsCases: boolean, referral: string | null]> = [
  ['VSAA', 'Valsts sociālās apdrošināšanas aģentūra', 'State Social Insurance Agency', 'state', true, null],
  ['VID', 'Valsts ieņēmumu dienests', 'State Revenue Service', 'state', true, null],
  ['NVA', 'Nodarbinātības valsts aģentūra', 'State Employment Agency', 'state', true, null],
  ['LAD', 'Lauku atbalsta dienests', 'Rural Support Service', 'state', true, null],
  ['VZD', 'Valsts zemes dienests', 'State Land Service', 'state', true, null],
  ['PMLP', 'Pilsonības un migrācijas lietu pārvalde', 'Office of Citizenship and Migration Affairs', 'state', true, null],
  ['VDI', 'Valsts darba inspekcija', 'State Labour Inspectorate', 'state', true, null],
  ['UR', 'Uzņēmumu reģistrs', 'Register of Enterprises', 'state', true, null],
  ['VDAA', 'Valsts digitālās attīstības aģentūra', 'State Digital Development Agency', 'state', true, null],
  ['RIGA', 'Rīgas valstspilsētas pašvaldība', 'Riga State City Municipality', 'municipality', true, null],
  ['DAUGAVPILS', 'Daugavpils valstspilsētas pašvaldība', 'Daugavpils State City Municipality', 'municipality', true, null],
  ['LIEPAJA', 'Liepājas valstspilsētas pašvaldība', 'Liepāja State City Municipality', 'municipality', true, null],
  ['VP', 'Valsts policija', 'State Police', 'emergency', false, 'Valsts policija: 110 (ārkārtas gadījumos 112), www.vp.gov.lv'],
  ['VUGD', 'Valsts ugunsdzēsības un glābšanas dienests', 'State Fire and Rescue Service', 'emergency', false, 'VUGD: 112, www.vugd.gov.lv'],
];

export class SeedInstitutionsAndQueues1795637000000 implements MigrationInterface {
  name = 'SeedInstitutionsAndQueues1795637000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    for (const [code, nameLv, nameEn, kind, acceptsCases, referral] of INSTITUTIONS) {
      await queryRunner.query(
        `INSERT INTO institutions (code, name_lv, name_en, kind, accepts_cases, referral_info)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO NOTHING`,
        [code, nameLv, nameEn, kind, acceptsCases, referral],
      );
    }
    await queryRunner.query(
      `INSERT INTO queues (code, name, institution_id, level, is_general)
       VALUES ('GENERAL', 'Vispārējā rinda (1. līmenis)', NULL, 1, true) ON CONFLICT (code) DO NOTHING`,
    );
    await queryRunner.query(
      `INSERT INTO queues (code, name, institution_id, level, is_general)
       SELECT i.code, i.code || ' — ' || i.name_lv || ' (1. līmenis)', i.id, 1, false
       FROM institutions i WHERE i.accepts_cases ON CONFLICT (code) DO NOTHING`,
    );
    // At most one general queue, enforced by the database rather than by convention.
    await queryRunner.query(`CREATE UNIQUE INDEX uq_queues_one_general ON queues (is_general) WHERE is_general`);
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX uq_queues_one_general`);
    await queryRunner.query(`DELETE FROM queues`);
    await queryRunner.query(`DELETE FROM institutions WHERE code = ANY($1)`, [INSTITUTIONS.map((i) => i[0])]);
  }
}
