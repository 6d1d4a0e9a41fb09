import { readFileSync } from 'node:fs';
import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/**
 * The context of infra/cdk.json (the feature flags `cdk init` recommends for the pinned
 * aws-cdk-lib): `cdk synth` applies it, so the tests synthesise with it too.
 */
export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

/**
 * An App for tests, with cdk.json's feature flags. `bundle: false` skips asset bundling for every stack (CDK's
 * `aws:cdk:bundling-stacks` context), so tests about resources do not pay for esbuild; stack
 * traces in construct metadata are off, as the CDK CLI does by default. CDK's built-in
 * CloudFormation validation (about 7 s of WebAssembly on a first synthesis) is off too: the app
 * test runs it, as `pnpm synth` does.
 */
export function testApp(options: { bundle?: boolean; context?: Record<string, unknown> } = {}): App {
  return new App({
    context: testContext(options.context ?? {}, options.bundle),
    builtinCloudFormationValidation: false,
  });
}

/** The context of {@link testApp}, for apps built elsewhere. */
export const testContext = (context: Record<string, unknown>, bundle = false): Record<string, unknown> => ({
  ...CDK_JSON_CONTEXT,
  'aws:cdk:disable-stack-trace': true,
  ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
  ...context,
});

export const templateOf = (stack: Stack): Template => Template.fromStack(stack);

export type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** The resources of a template, by logical id. */
export const resourcesOf = (template: Template): Resources => template.toJSON().Resources as Resources;

/** The one resource of a type, or a failure naming how many there were. */
export function onlyResource(
  template: Template,
  type: string,
): { id: string; properties: Record<string, unknown> } {
  const found = Object.entries(resourcesOf(template)).filter(([, r]) => r.Type === type);
  if (found.length !== 1) throw new Error(`expected exactly one ${type}, found ${found.length}`);
  const [id, resource] = found[0] as [string, { Properties?: Record<string, unknown> }];
  return { id, properties: resource.Properties ?? {} };
}
