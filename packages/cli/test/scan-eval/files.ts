/** What the corpus files are, and the Keras containers both the malicious and the benign sets use. */
import { strToU8, zipSync } from 'fflate';

export type Label = 'benign' | 'high' | 'critical';

export interface CorpusFile {
  path: string;
  data: Uint8Array | string;
  label: Label;
  /** Bypass style or benign shape, for the per-category table. */
  category: string;
}

export function kerasConfigWith(layer: object): string {
  return JSON.stringify({
    class_name: 'Functional',
    config: {
      name: 'model',
      layers: [
        {
          class_name: 'InputLayer',
          config: { name: 'input', batch_shape: [null, 8] },
          module: 'keras.layers',
        },
        { class_name: 'Dense', config: { name: 'dense', units: 4 }, module: 'keras.layers' },
        layer,
      ],
    },
    module: 'keras.src.models.functional',
  });
}

export function kerasZip(config: string): Uint8Array {
  return zipSync(
    {
      'config.json': strToU8(config),
      'metadata.json': strToU8('{"keras_version": "3.8.0", "date_saved": "2025-01-01@00:00:00"}'),
      'model.weights.h5': new Uint8Array(64),
    },
    { level: 0 },
  );
}
