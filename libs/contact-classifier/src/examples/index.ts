import type { LabelledExample } from '../classifier';
import { DAUGAVPILS_EXAMPLES } from './daugavpils';
import { GENERAL_EXAMPLES } from './general';
export { GLOSSARY_EXAMPLES } from './glossary';
import { LAD_EXAMPLES } from './lad';
import { LIEPAJA_EXAMPLES } from './liepaja';
import { NVA_EXAMPLES } from './nva';
import { PMLP_EXAMPLES } from './pmlp';
import { RIGA_EXAMPLES } from './riga';
import { UR_EXAMPLES } from './ur';
import { VDAA_EXAMPLES } from './vdaa';
import { VDI_EXAMPLES } from './vdi';
import { VID_EXAMPLES } from './vid';
import { VSAA_EXAMPLES } from './vsaa';
import { VZD_EXAMPLES } from './vzd';

/** The seeded labelled examples, written from each institution's real services, in Latvian, Russian and English. */
export const SEED_EXAMPLES: readonly LabelledExample[] = [
  ...VSAA_EXAMPLES,
  ...VID_EXAMPLES,
  ...NVA_EXAMPLES,
  ...LAD_EXAMPLES,
  ...VZD_EXAMPLES,
  ...PMLP_EXAMPLES,
  ...VDI_EXAMPLES,
  ...UR_EXAMPLES,
  ...VDAA_EXAMPLES,
  ...RIGA_EXAMPLES,
  ...DAUGAVPILS_EXAMPLES,
  ...LIEPAJA_EXAMPLES,
  ...GENERAL_EXAMPLES,
];

/** The municipalities offer the same services; what tells them apart is the place (see ClassifierModel.groups). */
export const SHARED_SERVICE_GROUPS: string[][] = [['RIGA', 'DAUGAVPILS', 'LIEPAJA']];
