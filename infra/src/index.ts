export * from './app-config.ts';
export * from './endpoint-site.ts';
export * from './example-site-stack.ts';
export * from './reconciler.ts';
export * from './reconciler-stack.ts';
