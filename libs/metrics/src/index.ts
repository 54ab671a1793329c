export { Metrics, MetricsModule, type WriteKind } from './metrics.js';
