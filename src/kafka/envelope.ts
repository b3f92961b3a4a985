import { UnavailableError } from '../errors/errors.js';
import type { Stage } from '../operators/types.js';

export function envelopeStage(): Stage {
  throw new UnavailableError('--envelope is not available yet');
}
