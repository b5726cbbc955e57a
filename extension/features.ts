import { chatFeature } from './chat/feature.js';
import { languageModelsFeature } from './language-models/feature.js';
import type { FeatureModule } from './services.js';
import { usageFeature } from './usage/feature.js';

/** Features registered after the core, in this order. The chat view and the usage panel add
 * themselves here: `import { chatFeature } from './chat/feature.js'` and list it. */
export const FEATURES: readonly FeatureModule[] = [chatFeature, usageFeature, languageModelsFeature];
