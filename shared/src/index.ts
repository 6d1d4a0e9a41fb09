export * from './collections.ts';
export * from './config.ts';
export * from './metrics.ts';
export * from './plan.ts';
export * from './policy.ts';
export * from './result.ts';
export * from './site.ts';
export * from './tags.ts';
