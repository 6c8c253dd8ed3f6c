import type { Services } from '../services';

// Placeholder until the 'training' feature lands; its owner replaces this file.
export function activate(_services: Services): void {}
