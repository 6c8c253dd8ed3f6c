import type { Services } from '../services';

// Placeholder until the 'datasets' feature lands; its owner replaces this file.
export function activate(_services: Services): void {}
